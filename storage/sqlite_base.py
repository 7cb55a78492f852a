"""SQLite's side of `StoreBase`: two connections, one writer, group commit for entries.

Modelled on Datasette's `Database`: a writer connection behind a lock (each write is
one transaction, `BEGIN IMMEDIATE` when it has several statements) and a reader
connection that WAL lets run beside it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any, TypeVar

import aiosqlite

from storage.entry_sql import (
    ENTRY_BY_SOURCE_KEY,
    INSERT_ENTRY,
    MEMBER_PERIOD,
    member_period_from,
    member_period_params,
)
from storage.store_base import (
    COUNTING,
    ENTRY_COLUMNS,
    MEMBER_COLUMNS,
    SCOPE,
    UNIT_COLUMNS,
    Db,
    EntryWork,
    Params,
    Recorded,
    StoreBase,
    entry_from,
    entry_subject,
    member_from,
    under_scope,
    unit_from,
    write_audit,
)

# Stores written before store_base.py import these from here; new code imports them there.
__all__ = [
    "COUNTING",
    "ENTRY_COLUMNS",
    "MEMBER_COLUMNS",
    "SCOPE",
    "UNIT_COLUMNS",
    "SQLiteBase",
    "entry_from",
    "entry_subject",
    "member_from",
    "under_scope",
    "unit_from",
    "write_audit",
]

T = TypeVar("T")

QueuedEntry = tuple[EntryWork, asyncio.Future[Recorded]]


async def in_connection_thread(
    db: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]
) -> T:
    """Run `work` with the raw connection on the thread aiosqlite keeps for it.

    aiosqlite crosses threads once per statement, and each crossing costs more than a
    small statement itself: a log (insert, then the member's totals, one transaction)
    would pay four. Running the whole unit of work there pays one. aiosqlite has no
    public call for it (its maintainer agreed it would help, omnilib/aiosqlite#19), so
    this is the one place that uses `_execute`; the version is pinned and tests cover it.
    """
    result: T = await db._execute(work, db._conn)  # type: ignore[no-untyped-call]
    return result


class SQLiteDb:
    """`Db` over an aiosqlite connection."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self._connection.execute(sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return list(await self._connection.execute_fetchall(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)


def _record(db: sqlite3.Connection, work: list[EntryWork]) -> list[Recorded]:
    """On the writer's thread: insert each entry and read what its caller asked for,
    in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        results = [_record_one(db, values, period_key) for values, period_key in work]
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # a COMMIT refused (disk full) leaves it open
            db.execute("ROLLBACK")
        raise
    return results


def _record_one(
    db: sqlite3.Connection, values: tuple[Any, ...], period_key: str | None
) -> Recorded:
    inserted = db.execute(INSERT_ENTRY, values).fetchall()
    row = inserted[0] if inserted else db.execute(ENTRY_BY_SOURCE_KEY, (values[-1],)).fetchone()
    member_id = row[1]
    standing = None
    if period_key is not None:
        params = member_period_params(member_id, period_key)
        standing = member_period_from(db.execute(MEMBER_PERIOD, params).fetchall())
    return row, bool(inserted), standing


class SQLiteBase(StoreBase):
    """The connections and the write discipline; `SQLiteRepository` puts the stores on it."""

    INDEX_HINTS = True

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        # Entries waiting for the next group commit, each with its caller's future.
        self._entry_queue: list[QueuedEntry] = []
        self._entry_flusher: asyncio.Task[None] | None = None
        # Told after each commit (the office TV's hub wakes up): see `on_commit`.
        self._commit_listeners: list[Callable[[], None]] = []

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit this process makes; it must be cheap and
        must not raise (it runs on the writer's path), e.g. setting an asyncio.Event."""
        self._commit_listeners.append(listener)

    def _committed(self) -> None:
        for listener in self._commit_listeners:
            listener()

    @asynccontextmanager
    async def _sqlite_transaction(self) -> AsyncIterator[Db]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteDb(self._writer)
                await self._writer.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:  # a COMMIT refused (disk full) leaves it open
                    await self._writer.execute("ROLLBACK")
                raise
            self._committed()

    def _transaction(self) -> AbstractAsyncContextManager[Db]:
        return self._sqlite_transaction()

    def _exclusive_transaction(self) -> AbstractAsyncContextManager[Db]:
        # One file, one writer: every write transaction is exclusive already.
        return self._sqlite_transaction()

    async def _one(self, sql: str, params: Params = ()) -> Any:
        rows = await self._reader.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Params = ()) -> list[Any]:
        return list(await self._reader.execute_fetchall(sql, params))

    async def _write(self, sql: str, params: Params = ()) -> list[Any]:
        async with self._write_lock:
            return list(await self._writer.execute_fetchall(sql, params))

    async def _store_entry(self, work: EntryWork) -> Recorded:
        """Entries that arrive together share one commit (group commit): an officer's
        reply still waits for the fsync that makes their entry durable, but forty agents
        texting at once pay for one fsync, not forty."""
        future: asyncio.Future[Recorded] = asyncio.get_running_loop().create_future()
        self._entry_queue.append((work, future))
        if self._entry_flusher is None or self._entry_flusher.done():
            self._entry_flusher = asyncio.create_task(self._commit_queued_entries())
        return await future

    async def _commit_queued_entries(self) -> None:
        """Drain the queue: whatever arrived while the last commit ran goes in the next."""
        while self._entry_queue:
            async with self._write_lock:
                batch, self._entry_queue[:] = list(self._entry_queue), []
                work = [item for item, _ in batch]
                try:
                    results = await in_connection_thread(self._writer, partial(_record, work=work))
                except Exception:
                    await self._record_one_by_one(batch)
                    continue
            self._committed()
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # its caller may have given up waiting
                    future.set_result(result)

    async def _record_one_by_one(self, batch: list[QueuedEntry]) -> None:
        """After a failed batch: one bad entry must not sink the others."""
        for item, future in batch:
            try:
                [result] = await in_connection_thread(self._writer, partial(_record, work=[item]))
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
            else:
                self._committed()
                if not future.done():
                    future.set_result(result)
