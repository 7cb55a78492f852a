"""PostgreSQL: the VACUUM after a catch-up that cleared many marks removes them, even
when a statement that began before the catch-up committed still runs as it starts.

That happened at every country's first board: a second catch-up queued behind the
first, waiting for the lock in a statement that holds a snapshot, so the VACUUM found
the 120,000 quota marks just cleared not yet removable; every board's check then read
them all (10 ms a view, on every view) until autovacuum came by a minute later."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from storage.postgres import PostgresRepository

MARKS = 5_000


@pytest.fixture
async def repo(postgres_url: str) -> AsyncIterator[PostgresRepository]:
    repository = await PostgresRepository.open(postgres_url, max_size=4)
    yield repository
    await repository.close()


def dead_rows(admin: psycopg.Connection[tuple[object, ...]]) -> int:
    [(dead,)] = admin.execute("SELECT pg_stat_get_dead_tuples('marks'::regclass)").fetchall()
    return int(str(dead))


async def test_marks_cleared_while_an_older_statement_runs_are_removed(
    repo: PostgresRepository, postgres_url: str
) -> None:
    with (
        psycopg.connect(postgres_url, autocommit=True) as admin,
        psycopg.connect(postgres_url) as older,  # a statement that began before the clear
    ):
        admin.execute(f"CREATE TABLE marks AS SELECT g AS n FROM generate_series(1, {MARKS}) g")
        older.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        older.execute("SELECT count(*) FROM marks")  # its snapshot sees every mark
        admin.execute("DELETE FROM marks")

        async def end_the_older_one_soon() -> None:
            await asyncio.sleep(0.1)
            older.rollback()

        ending = asyncio.create_task(end_the_older_one_soon())
        await repo._vacuum(("marks",))
        await ending
        assert dead_rows(admin) == 0
        [(pages,)] = admin.execute("SELECT pg_relation_size('marks')").fetchall()
        assert pages == 0


async def test_a_transaction_that_outlives_the_tries_leaves_the_rows_for_autovacuum(
    repo: PostgresRepository, postgres_url: str
) -> None:
    with (
        psycopg.connect(postgres_url, autocommit=True) as admin,
        psycopg.connect(postgres_url) as older,
    ):
        admin.execute(f"CREATE TABLE marks AS SELECT g AS n FROM generate_series(1, {MARKS}) g")
        older.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        older.execute("SELECT count(*) FROM marks")
        admin.execute("DELETE FROM marks")
        await repo._vacuum(("marks",))  # returns after its last try, rows still needed
        assert dead_rows(admin) == MARKS
        older.rollback()
