"""PostgreSQL keeps pace with SQLite: same migration numbers, same tables and columns,
placeholders translated, and a database that sorts text differently is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.migrations import MIGRATIONS, POSTGRES_MIGRATIONS
from storage.postgres import CollationRefused, PostgresRepository
from storage.sql import to_pyformat
from storage.sqlite import SQLiteRepository
from storage.store_base import StoreBase
from tests.support.postgres import PostgresServer


def test_every_sqlite_migration_has_a_postgres_counterpart() -> None:
    assert [number for number, _ in POSTGRES_MIGRATIONS] == [number for number, _ in MIGRATIONS]


def test_both_repositories_implement_every_primitive_of_the_store_base() -> None:
    for backend in (SQLiteRepository, PostgresRepository):
        assert not getattr(backend, "__abstractmethods__", None), backend
        assert issubclass(backend, StoreBase)


async def test_both_schemas_have_the_same_tables_and_columns(
    tmp_path: Path, postgres_url: str
) -> None:
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    await repo.close()
    with sqlite3.connect(tmp_path / "quota.db") as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        sqlite_columns = {
            table: [row[1] for row in db.execute(f"PRAGMA table_xinfo({table})")]
            for table in tables
        }
    with psycopg.connect(postgres_url) as db:
        rows = db.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
            " AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'"
            " WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position"
        ).fetchall()
    postgres_columns: dict[str, list[str]] = {}
    for table, column in rows:
        postgres_columns.setdefault(table, []).append(column)
    assert postgres_columns == sqlite_columns


def test_placeholders_are_translated_outside_literals() -> None:
    sql = "SELECT 'a ? :b %' || x, y LIKE z || '%', ?, :name, n::text FROM t WHERE q = 'it''s ?'"
    assert to_pyformat(sql) == (
        "SELECT 'a ? :b %%' || x, y LIKE z || '%%', %s, %(name)s, n::text"
        " FROM t WHERE q = 'it''s ?'"
    )


def test_comments_hold_no_placeholders_and_no_literals() -> None:
    """An apostrophe in a comment opens no literal: the placeholders after it count."""
    sql = "SELECT :a -- the scope's rows, 100% ? :b\nFROM t WHERE x = :c AND y = ?"
    assert to_pyformat(sql) == (
        "SELECT %(a)s -- the scope's rows, 100%% ? :b\nFROM t WHERE x = %(c)s AND y = %s"
    )


@given(st.text(alphabet="abc ?:%'_x1-\n", max_size=30))
def test_translation_keeps_every_character_outside_placeholders(sql: str) -> None:
    """Whatever the text, undoing the translation gives it back."""
    translated = to_pyformat(sql)
    undone = translated.replace("%s", "?").replace("%%", "%")
    undone = "".join(
        part.split(")s", 1)[0] + part.split(")s", 1)[1] if ")s" in part else part
        for part in undone.replace("%(", "\0:").split("\0")
    )
    assert undone == sql


async def test_a_database_that_sorts_text_by_locale_is_refused(
    postgres_server: PostgresServer,
) -> None:
    with postgres_server.admin() as db:
        # ICU's English order: 'a' < 'B', where bytes put 'B' first.
        db.execute(
            "CREATE DATABASE by_locale TEMPLATE template0"
            " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
        )
    url = postgres_server.url("by_locale")
    with pytest.raises(CollationRefused, match="LC_COLLATE"):
        await PostgresRepository.open(url)
    postgres_server.drop_database(url)
