"""A board's catch-up commits without waiting for the disk, and nothing else does.

What the catch-up writes is derived from stored rows and redone if a crash loses it, so
its commit need not wait for an fsync (a quarter of a view right after a log, measured
at national size). The setting must end with that transaction: on PostgreSQL every
later transaction on the pooled sessions (behind PgBouncer, any client's) and on SQLite
every later commit of the one writer must be durable again, also after a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from storage.postgres import PostgresRepository
from storage.sqlite import SQLiteRepository

DURABLE = {"postgres": "on", "sqlite": 2}  # SQLite's PRAGMA synchronous: 2 = FULL
UNSYNCED = {"postgres": "off", "sqlite": 1}  # 1 = NORMAL: no fsync at commit in WAL mode


@pytest.fixture
async def repo(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """The test servers commit without an fsync; this database is durable, as in
    production, so that an unsynced commit differs from the others."""
    if backend == "sqlite":
        repository: Any = await SQLiteRepository.open(tmp_path / "quota.db")
    else:
        url = request.getfixturevalue("postgres_url")
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" SET synchronous_commit = on')
        repository = await PostgresRepository.open(url, max_size=4)
    yield repository
    await repository.close()


def setting(backend: str) -> str:
    return "SHOW synchronous_commit" if backend == "postgres" else "PRAGMA synchronous"


async def in_transaction(repo: Any, backend: str, *, durable: bool) -> object:
    async with repo._exclusive_transaction(durable=durable) as db:
        [(value,)] = await db.execute_fetchall(setting(backend))
    return value


async def test_only_the_unsynced_transaction_skips_the_fsync(repo: Any, backend: str) -> None:
    assert await in_transaction(repo, backend, durable=False) == UNSYNCED[backend]
    # Every session of the pool is durable again (PostgreSQL: the pool holds several).
    for _ in range(6):
        assert await in_transaction(repo, backend, durable=True) == DURABLE[backend]


async def test_a_failed_unsynced_transaction_leaves_commits_durable(
    repo: Any, backend: str
) -> None:
    with pytest.raises(RuntimeError):
        async with repo._exclusive_transaction(durable=False) as db:
            await db.execute_fetchall(setting(backend))
            raise RuntimeError("catch-up failed")
    for _ in range(6):
        assert await in_transaction(repo, backend, durable=True) == DURABLE[backend]
