"""The PostgreSQL repository: the same feature stores as SQLite's, on a connection pool.

psycopg 3 with psycopg_pool (see README: why not asyncpg). Every write is one pooled
transaction; reads take a pooled connection in autocommit, one statement each, so a
board is read from one snapshot as on SQLite. Statements are never prepared on the
server (`prepare_threshold=None`): a PgBouncer in transaction mode may hand the next
statement to another server connection.

The database must compare text as bytes (LC_COLLATE 'C', as SQLite does): lineage
ranges, rank keys and ISO instants are compared as text. `open` refuses any other.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, cast

from psycopg import AsyncClientCursor, AsyncConnection
from psycopg_pool import AsyncConnectionPool

from storage.entry_sql import member_period_from
from storage.group_commit import GroupCommit
from storage.kept_plans import install
from storage.migrations import POSTGRES_MIGRATIONS
from storage.repository import Repository
from storage.sql import to_pyformat
from storage.sqlite_board_view import KEPT_PLANS, BoardViewStore
from storage.sqlite_boards import BoardStore
from storage.sqlite_choices import ChoiceStore
from storage.sqlite_core import CoreStore
from storage.sqlite_leads import LeadStore
from storage.sqlite_notices import NoticeStore
from storage.sqlite_participants import ParticipantStore
from storage.sqlite_processes import ProcessStore
from storage.sqlite_renewals import RenewalStore
from storage.sqlite_schedule import ScheduleStore
from storage.sqlite_screens import ScreenStore
from storage.sqlite_sms import SmsStore
from storage.sqlite_zalo import ZaloStore
from storage.store_base import TRANSACTION_HORIZON, Db, EntryWork, Params, Recorded, StoreBase, W
from storage.total_plans import TotalPlanStore

# Advisory lock keys (pg_advisory_xact_lock): one per kind of exclusive work.
MIGRATION_LOCK = 7_150_001
EXCLUSIVE_LOCK = 7_150_002

# Dead rows a vacuum may leave before it is run again, and the waits before each try:
# see PostgresBase._vacuum.
VACUUM_AGAIN_PAST = 1_000
VACUUM_RETRY_WAITS = (0.05, 0.2, 1.0)

# A transaction that starts with this commits without waiting for the WAL flush.
UNSYNCED_COMMIT = "SET LOCAL synchronous_commit = off"

# The logging path (migration 0130): a batch of entries, each one's row and its member's
# standing. Typed arrays: an array of nothing but NULLs (no source keys) has no type.
LOG_ENTRIES = (
    "SELECT * FROM log_entries(%s::bigint[], %s::bigint[], %s::text[], %s::text[],"
    " %s::integer[], %s::text[], %s::text[], %s::text[], %s::text[])"
)


class CollationRefused(RuntimeError):
    """The database does not compare text as bytes."""


class PgDb:
    """`Db` over a psycopg connection: SQLite's placeholders translated."""

    def __init__(self, connection: AsyncConnection[Any]) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self._connection.execute(to_pyformat(sql), params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        cursor = await self._connection.execute(to_pyformat(sql), params)
        return await cursor.fetchall() if cursor.description else []

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        if batch:
            async with self._connection.cursor() as cursor:
                await cursor.executemany(to_pyformat(sql), batch)

    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        # COPY: one stream instead of a statement per row (120,000 targets of a country
        # took seconds through executemany). COPY fires the table's triggers as INSERT does.
        if not rows:
            return
        async with self._connection.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            async with cursor.copy(statement) as copy:
                for row in rows:
                    await copy.write_row(row)

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        # Without it, the first boards after a period is materialised were planned for
        # empty tables: 1.5 s instead of 2 ms for a commune's unit board (60,000 members).
        await self._connection.execute(f"ANALYZE {', '.join(tables)}")


class PostgresBase(GroupCommit, StoreBase):
    """A pool; each write a transaction on one of its connections."""

    INDEX_HINTS = False
    KEEPS_PLANS = True
    WRITERS_OVERLAP = True
    ENTRY_FLUSHERS = 4
    """Batches of logs in flight at once, each on a pooled connection (see GroupCommit):
    the server's cores store them side by side while the next ones gather."""
    CHANGE_HORIZON = TRANSACTION_HORIZON

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[Any]], url: str) -> None:
        self._pool = pool
        self._url = url
        self._commit_listeners: list[Callable[[], None]] = []
        self._init_group_commit()

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit this process makes (not other processes')."""
        self._commit_listeners.append(listener)

    def _committed(self) -> None:
        for listener in self._commit_listeners:
            listener()

    @asynccontextmanager
    async def _pg_transaction(
        self, lock: int | None = None, *, durable: bool = True
    ) -> AsyncIterator[Db]:
        async with self._pool.connection() as connection, connection.transaction():
            if lock is not None:
                await connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
            if not durable:
                await connection.execute(UNSYNCED_COMMIT)
            yield PgDb(connection)
        self._committed()

    async def _bookkeep(self, *statements: tuple[str, Params]) -> list[list[Any]]:
        """One message, one round trip: the statements of a simple query run as one
        implicit transaction, which SET LOCAL lets commit without waiting for the WAL
        flush (it ends with the transaction: nothing stays on the pooled session, as
        PgBouncer's transaction mode needs). BEGIN, SET, the statement and COMMIT one by
        one were four round trips for each claim. Several statements in one message need
        client-side binding: psycopg's ClientCursor, its documented way to send them."""
        async with self._pool.connection() as connection:
            cursor = AsyncClientCursor(connection)
            bound = [cursor.mogrify(to_pyformat(sql), params) for sql, params in statements]
            await cursor.execute("; ".join([UNSYNCED_COMMIT, *bound]))
            results = []
            for _ in statements:
                cursor.nextset()
                results.append(await cursor.fetchall() if cursor.description else [])
        self._committed()
        return results

    def _transaction(self) -> AbstractAsyncContextManager[Db]:
        return self._pg_transaction()

    async def _vacuum(self, tables: Sequence[str]) -> None:
        # VACUUM runs outside any transaction: the pool's connections are in autocommit.
        # An emptied table's pages are cut off too, when no one else holds it.
        async with self._pool.connection() as connection:
            # The catch-up just before committed without waiting for the WAL flush, and
            # until its commit is flushed no row it wrote gets its "committed" hint bit,
            # which VACUUM needs to mark a page all-visible: it would leave a new board's
            # pages as they were. A commit that wrote WAL waits for the flush up to
            # itself; a transactional message is the smallest such write (a commit of
            # nothing, or of `txid_current()` alone, does not wait).
            await connection.execute("SELECT pg_logical_emit_message(true, 'bhxh', '')")
            vacuum = f"VACUUM {', '.join(tables)}"
            await connection.execute(vacuum)
            for wait in VACUUM_RETRY_WAITS:
                left = await connection.execute(
                    "SELECT coalesce(sum(pg_stat_get_dead_tuples(to_regclass(name))), 0)"
                    " FROM unnest(%s::text[]) AS name",
                    (list(tables),),
                )
                [(dead,)] = await left.fetchall()
                if dead < VACUUM_AGAIN_PAST:
                    return
                # A statement that began before our commit still ran as VACUUM began (a
                # catch-up waiting for the lock we held, a view): the rows it might yet
                # see stayed. It ends in milliseconds; the next VACUUM removes them.
                await asyncio.sleep(wait)
                await connection.execute(vacuum)

    async def _run_write(self, work: Callable[[Db], Awaitable[W]]) -> W:
        async with self._pg_transaction() as db:
            return await work(db)

    def _exclusive_transaction(self, *, durable: bool = True) -> AbstractAsyncContextManager[Db]:
        return self._pg_transaction(EXCLUSIVE_LOCK, durable=durable)

    async def _all(self, sql: str, params: Params = ()) -> list[Any]:
        async with self._pool.connection() as connection:
            return await PgDb(connection).execute_fetchall(sql, params)

    async def _one(self, sql: str, params: Params = ()) -> Any:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _write(self, sql: str, params: Params = ()) -> list[Any]:
        rows = await self._all(sql, params)  # autocommit: one statement, one transaction
        self._committed()
        return rows

    async def _record_batch(self, batch: list[EntryWork]) -> list[Recorded]:
        """The batch's entries inserted (a no-op for a source key seen before), each
        stored row and its member's standing: one statement, `log_entries` (migrations
        0130, 0131), whose plans the server keeps per connection. One round trip, one
        transaction: a statement outside a transaction block is committed when it ends.

        Sent in the order of unit and member (each member's logs in their order): two
        batches in flight lock the rows they share (a commune's totals) in the same
        order, so neither waits for the other in a circle."""
        order = sorted(range(len(batch)), key=lambda n: (batch[n][0][1], batch[n][0][0], n))
        columns = [list(column) for column in zip(*(batch[n][0] for n in order), strict=True)]
        asked = [batch[n][1] for n in order]
        async with self._pool.connection() as connection:
            cursor = await connection.execute(LOG_ENTRIES, (*columns, asked))
            rows = await cursor.fetchall()
        results: list[Recorded | None] = [None] * len(batch)
        for log_number, *row, created, programs, periods, amounts in rows:
            standing = None
            if asked[log_number - 1] is not None:
                found = zip(programs or (), periods or (), amounts or (), strict=True)
                standing = member_period_from(found)
            results[order[log_number - 1]] = (row, created, standing)
        assert None not in results, "log_entries answers every log"
        return cast(list[Recorded], results)


class PostgresRepository(
    CoreStore,
    BoardStore,
    BoardViewStore,
    SmsStore,
    LeadStore,
    ScheduleStore,
    ParticipantStore,
    RenewalStore,
    ChoiceStore,
    NoticeStore,
    ScreenStore,
    ZaloStore,
    TotalPlanStore,
    ProcessStore,
    PostgresBase,
):
    """Open with `await PostgresRepository.open(url)`; migrates the schema itself."""

    @classmethod
    async def open(cls, url: str, *, max_size: int = 20) -> PostgresRepository:
        settings: dict[str, Any] = {"autocommit": True, "prepare_threshold": None}
        # Migrate on a connection of its own, before the pool opens any: database
        # settings a migration makes (0115: no JIT) reach every pooled session.
        async with await AsyncConnection.connect(url, **settings) as connection:
            await _check_collation(connection)
            await migrate(connection)
        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            url, min_size=1, max_size=max_size, kwargs=settings, open=False
        )
        await pool.open(wait=True)
        return cls(pool, url)

    async def close(self) -> None:
        await self._entries_stored()  # entries already accepted are committed first
        await self._pool.close()

    async def backup(self, target: Path) -> None:
        """A `pg_dump` of the database (custom format, for `pg_restore`)."""
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise RuntimeError("pg_dump is not installed (Debian: postgresql-client)")
        target.parent.mkdir(parents=True, exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            pg_dump, "--format=custom", f"--file={target}", f"--dbname={self._url}"
        )
        if await process.wait() != 0:
            raise RuntimeError(f"pg_dump failed with exit code {process.returncode}")


async def _check_collation(connection: AsyncConnection[Any]) -> None:
    # datlocprovider ('c' libc, 'i' ICU) exists from PostgreSQL 15; read it as JSON so
    # that an older server answers NULL instead of failing.
    cursor = await connection.execute(
        "SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' FROM pg_database d"
        " WHERE datname = current_database()"
    )
    row = await cursor.fetchone()
    collate, provider = row if row else ("?", None)
    if collate not in ("C", "POSIX") or provider not in (None, "c"):
        raise CollationRefused(
            f"the database sorts text by locale (LC_COLLATE {collate}, provider {provider});"
            " create it with CREATE DATABASE ... TEMPLATE template0 LOCALE 'C'"
        )


async def migrate(connection: AsyncConnection[Any]) -> list[int]:
    """Apply each numbered PostgreSQL migration the database has not seen, in order, in
    one transaction under an advisory lock (two processes starting together migrate
    once). Every applied number is recorded, as on SQLite. Then the functions of
    storage/kept_plans.py, created or replaced where their statements changed. The
    numbers applied now."""
    applied_now: list[int] = []
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        cursor = await connection.execute("SELECT number FROM schema_migrations")
        applied = {number for (number,) in await cursor.fetchall()}
        for number, script in POSTGRES_MIGRATIONS:
            if number in applied:
                continue
            await connection.execute(script.encode())
            await connection.execute(
                "INSERT INTO schema_migrations (number) VALUES (%s)", (number,)
            )
            applied_now.append(number)
        await install(connection, KEPT_PLANS)
    return applied_now


def _satisfies_repository(repo: PostgresRepository) -> Repository:
    """mypy checks here that PostgreSQL implements every method of the Protocol."""
    return repo
