"""What a storage failure means for the person who caused it."""

from __future__ import annotations

import errno
import sqlite3

_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def out_of_room(error: BaseException) -> bool:
    """The database could not grow: disk full, a quota, a file-size limit. SQLite reports
    a full disk as SQLITE_FULL and a refused write (a size limit) as SQLITE_IOERR_WRITE;
    either way the transaction was rolled back and nothing of it was stored."""
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        return name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR")
    return isinstance(error, OSError) and error.errno in _NO_ROOM
