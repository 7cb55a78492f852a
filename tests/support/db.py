"""Read a test's database directly, whichever backend its `repo` fixture opened.

Tests check the rows a command left (or did not leave) behind: with plain sqlite3 on
the SQLite file, with plain psycopg on the PostgreSQL database. The `repo` fixture
records which database belongs to the test's `tmp_path`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from storage.backends import is_postgres, sqlite_file
from storage.sql import to_pyformat

_DATABASES: dict[Path, str] = {}


def register(tmp_path: Path, url: str) -> None:
    _DATABASES[tmp_path] = url


def forget(tmp_path: Path) -> None:
    _DATABASES.pop(tmp_path, None)


def database_url(tmp_path: Path) -> str:
    """The DATABASE_URL of the test's database (SQLite's file when none was opened)."""
    return _DATABASES.get(tmp_path, f"sqlite:///{tmp_path / 'quota.db'}")


def rows(tmp_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of a read in SQLite's dialect, as plain tuples."""
    url = database_url(tmp_path)
    if is_postgres(url):
        with psycopg.connect(url, autocommit=True) as db:
            cursor = db.execute(to_pyformat(sql), params)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    with sqlite3.connect(sqlite_file(url)) as db:
        return [tuple(row) for row in db.execute(sql, params).fetchall()]


def dump(tmp_path: Path) -> str:
    """Every row of every table as text: to show that something is nowhere in it."""
    url = database_url(tmp_path)
    if not is_postgres(url):
        with sqlite3.connect(sqlite_file(url)) as db:
            return "\n".join(db.iterdump())
    with psycopg.connect(url, autocommit=True) as db:
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        lines = []
        for (table,) in tables:
            for row in db.execute(f'SELECT * FROM "{table}"').fetchall():
                lines.append(f"{table}: {row!r}")
        return "\n".join(lines)
