"""A database file as text, to show that a refused input changed nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from admin.copy_db import CACHE
from storage.backends import is_postgres
from tests.support.db import database_url

# The board cache of migration 0007 (as `copy-db` names it): a read (`/bxh`) may fill it,
# and that is no change of what anyone recorded. Everything else must stay byte for byte.
CACHE_TABLES = CACHE
# Conversation state, not records: an answer to an open question (yes/no, a numbered
# choice) closes it even when the command it picks is then refused (`ÿ` folds to `y`),
# and the channel a member last wrote from is noted whatever the reply was.
CONVERSATION_TABLES = frozenset({"pending_choices", "zalo_choices", "member_channels"})


def dump(path: Path, ignoring: frozenset[str] = frozenset()) -> list[str]:
    """Every row of every table but the board cache, as SQL lines, in a stable order.

    `path` is the test's SQLite file; when the test's `repo` is on PostgreSQL (see
    tests/support/db.py), that database is dumped instead."""
    url = database_url(path.parent)
    if is_postgres(url):
        with psycopg.connect(url, autocommit=True) as pg:
            names = pg.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
            lines = []
            for (table,) in names:
                if table not in CACHE_TABLES | ignoring:
                    rows = pg.execute(f'SELECT * FROM "{table}"').fetchall()
                    lines += sorted(f"{table}: {row!r}" for row in rows)
            return lines
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name not in CACHE_TABLES | ignoring and not name.startswith("sqlite_")
        ]
        lines: list[str] = []
        for table in tables:
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()  # names from the schema
            lines += sorted(f"{table}: {row!r}" for row in rows)
    db.close()
    return lines


class Watcher:
    """The dump of a database file, taken again only after someone committed to it.

    `PRAGMA data_version` on a connection of its own changes whenever another connection
    commits: while it stays, the last dump still holds (a fuzz run makes thousands of
    refused lines, and dumping twice for each was most of its time).
    """

    def __init__(self, path: Path, ignoring: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.ignoring = ignoring
        self.connection = sqlite3.connect(path)
        self.version: int | None = None
        self.last: list[str] = []

    def dump(self) -> list[str]:
        (version,) = self.connection.execute("PRAGMA data_version").fetchone()
        if version != self.version:
            self.version, self.last = version, dump(self.path, self.ignoring)
        return self.last

    def close(self) -> None:
        self.connection.close()
