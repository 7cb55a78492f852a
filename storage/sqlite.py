"""The SQLite repository: one file, WAL, every feature's store on two connections.

A commit is durable (`synchronous=FULL`): an officer who was told "recorded" must find
it there after a power cut. Each feature keeps its queries in its own `sqlite_*.py`
store; this class puts them together and owns opening, migrating and backing up.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import sqlite3
from functools import partial
from pathlib import Path
from typing import IO

from storage.migrations import MIGRATIONS
from storage.sqlite_base import SQLiteBase
from storage.sqlite_board_view import BoardViewStore
from storage.sqlite_boards import BoardStore
from storage.sqlite_choices import ChoiceStore
from storage.sqlite_claims import MemoryClaimStore
from storage.sqlite_core import CoreStore
from storage.sqlite_leads import LeadStore
from storage.sqlite_notices import NoticeStore
from storage.sqlite_participants import ParticipantStore
from storage.sqlite_processes import ProcessStore
from storage.sqlite_renewals import RenewalStore
from storage.sqlite_schedule import ScheduleStore
from storage.sqlite_screens import ScreenStore
from storage.sqlite_sms import SmsStore
from storage.sqlite_thread import ConnectionThread
from storage.sqlite_zalo import ZaloStore
from storage.total_plans import TotalPlanStore

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


class SQLiteRepository(
    CoreStore,
    BoardStore,
    BoardViewStore,
    SmsStore,
    LeadStore,
    ScheduleStore,
    ParticipantStore,
    ScreenStore,
    ChoiceStore,
    NoticeStore,
    RenewalStore,
    SQLiteBase,
    ZaloStore,
    TotalPlanStore,
    MemoryClaimStore,  # before ProcessStore: SQLite keeps update claims in memory
    ProcessStore,
):
    """Open with `await SQLiteRepository.open(path)`; migrates the schema itself."""

    _in_use: IO[bytes] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteRepository:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        in_use = hold_shared(Path(path))
        try:
            writer = await ConnectionThread.open(partial(_connect, path, _PRAGMAS), "sqlite-writer")
        except BaseException:
            in_use.close()
            raise
        try:
            await writer.run(_migrate)
            reader = await ConnectionThread.open(
                partial(_connect, path, _PRAGMAS[1:]), "sqlite-reader"
            )
        except BaseException:
            await writer.close()
            in_use.close()
            raise
        repository = cls(writer, reader)
        repository._in_use = in_use
        return repository

    async def close(self) -> None:
        await self._entries_stored()  # entries already accepted are committed first
        await self._reader.close()
        await self._writer.close()
        if self._in_use is not None:
            self._in_use.close()  # releases the shared lock

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database at `target` (which must not exist),
        checked by reopening it; raises BackupBroken if the copy does not read back."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._write_lock:
            await self._writer.execute_fetchall("VACUUM INTO ?", (str(target),))
        problem = await asyncio.to_thread(check_copy, target)
        if problem is not None:
            raise BackupBroken(f"{target}: {problem}")


class BackupBroken(RuntimeError):
    """A copy of the database that does not read back whole."""


class DatabaseInUse(RuntimeError):
    """A process has the database open: it cannot be replaced under it."""


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def hold_shared(path: Path) -> IO[bytes]:
    """A shared lock on `<db>.lock` for as long as the returned file stays open: every
    process using the database holds one, so `restore` can tell it is in use."""
    handle = _lock_path(path).open("ab")
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def check_copy(path: Path) -> str | None:
    """None when `path` opens as one of our databases and passes SQLite's integrity
    check; else what is wrong with it."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                return str(verdict)
            migrations = db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    except sqlite3.Error as error:
        return str(error)
    return None if migrations else "no schema: not a database of this bot"


def restore(source: Path, target: Path, *, replace: bool) -> None:
    """Copy the backup `source` over the database `target`, checked before and after.
    Raises DatabaseInUse while any process has `target` open, FileExistsError when it
    exists and `replace` is False, BackupBroken when `source` is not a sound backup."""
    problem = check_copy(source)
    if problem is not None:
        raise BackupBroken(f"{source}: {problem}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock_path(target).open("ab") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(str(target)) from None
        if target.exists() and not replace:
            raise FileExistsError(str(target))
        with (
            contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
        problem = check_copy(target)
        if problem is not None:
            raise BackupBroken(f"{target}: {problem}")


def _connect(path: Path | str, pragmas: tuple[str, ...]) -> sqlite3.Connection:
    """On the connection's own thread: autocommit (transactions are begun explicitly)."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in pragmas:
        connection.execute(pragma)
    return connection


def _migrate(db: sqlite3.Connection) -> None:
    """Apply each numbered migration the file has not seen yet, in order.

    Every applied number is recorded, not just the highest: a migration merged after a
    higher-numbered one still runs.
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (number INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    applied = {row[0] for row in db.execute("SELECT number FROM schema_migrations")}
    for number, script in MIGRATIONS:
        if number in applied:
            continue
        db.executescript(
            f"BEGIN IMMEDIATE;\n{script}\n"
            f"INSERT INTO schema_migrations (number) VALUES ({number});\n"
            f"PRAGMA user_version = {max(number, *applied, 0)};\nCOMMIT;"
        )
        applied.add(number)
