"""SQLite's side of `StoreBase`: two connections, one writer, group commit for entries.

Modelled on Datasette's `Database`: a writer connection on its own thread behind a lock
(each write is one transaction, `BEGIN IMMEDIATE` when it has several statements; a
write is a plain function over the connection, `ConnectionThread.run`, like Datasette's
`execute_write_fn`) and a reader connection on another thread that WAL lets run beside it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any, cast

from storage.entry_sql import (
    ENTRY_BY_SOURCE_KEY,
    INSERT_ENTRY,
    MEMBER_PERIOD,
    member_period_from,
    member_period_params,
)
from storage.group_commit import GroupCommit
from storage.sqlite_thread import ConnectionThread
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
    W,
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


def _fetch_all(db: sqlite3.Connection, sql: str, params: Params) -> list[Any]:
    # Every row is stepped, also when none is wanted: a statement with RETURNING is
    # only complete once its rows are read.
    return db.execute(sql, params).fetchall()


def _begin(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")


def _commit(db: sqlite3.Connection) -> None:
    db.execute("COMMIT")


def _roll_back(db: sqlite3.Connection) -> None:
    if db.in_transaction:  # a COMMIT refused (disk full) leaves it open
        db.execute("ROLLBACK")


def _in_one_transaction(db: sqlite3.Connection, work: Callable[[], W]) -> W:
    """On the writer's thread: `work` between BEGIN IMMEDIATE and COMMIT, in one go,
    rolled back if anything in it (or the COMMIT) fails."""
    _begin(db)
    try:
        result = work()
        _commit(db)
    except BaseException:
        _roll_back(db)
        raise
    return result


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


class _SQLiteDbBase(ABC):
    """What both SQLite `Db`s do alike, over each one's own `executemany`."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        # executemany reuses one prepared statement (and `SQLiteDb` crosses to its thread once).
        await self.executemany(_insert_sql(table, columns), rows)

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        return  # see Db: the board statements name their indexes on SQLite


class DirectDb(_SQLiteDbBase):
    """`Db` on the writer's own thread: each statement runs at once, nothing suspends."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> None:
        _fetch_all(self._connection, sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return _fetch_all(self._connection, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._connection.executemany(sql, list(rows))


class SuspendedWrite(RuntimeError):
    """A write function awaited something other than its connection."""


def _to_the_end(work: Awaitable[W]) -> W:
    """Run a coroutine that awaits only `DirectDb` (so never suspends) to its end, here."""
    coroutine = work.__await__()
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(W, done.value)
    coroutine.close()
    raise SuspendedWrite("a write function must await only its Db")


def _whole_transaction(db: sqlite3.Connection, work: Callable[[Db], Awaitable[W]]) -> W:
    """On the writer's thread: `work` over a `DirectDb` as one transaction."""
    return _in_one_transaction(db, lambda: _to_the_end(work(DirectDb(db))))


def _unsynced(db: sqlite3.Connection, statements: Sequence[tuple[str, Params]]) -> list[list[Any]]:
    """On the writer's thread: `statements` as one transaction committed without an fsync.
    WAL with synchronous=NORMAL commits without one; the next FULL commit's fsync takes
    these frames with it, in order. Set per transaction, as the pragma applies to the
    connection's next commits."""
    db.execute("PRAGMA synchronous = NORMAL")
    try:
        return _in_one_transaction(
            db, lambda: [_fetch_all(db, sql, params) for sql, params in statements]
        )
    finally:
        db.execute("PRAGMA synchronous = FULL")


class SQLiteDb(_SQLiteDbBase):
    """`Db` over the writer thread: each statement a plain function run there."""

    def __init__(self, thread: ConnectionThread) -> None:
        self._thread = thread

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self._thread.run(partial(_fetch_all, sql=sql, params=params))

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return await self._thread.run(partial(_fetch_all, sql=sql, params=params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        await self._thread.run(lambda db: db.executemany(sql, batch))


def _record(db: sqlite3.Connection, work: list[EntryWork]) -> list[Recorded]:
    """On the writer's thread: insert each entry and read what its caller asked for,
    in one transaction."""
    return _in_one_transaction(
        db, lambda: [_record_one(db, values, period_key) for values, period_key in work]
    )


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


class SQLiteBase(GroupCommit, StoreBase):
    """The connections and the write discipline; `SQLiteRepository` puts the stores on it."""

    INDEX_HINTS = True
    KEEPS_PLANS = False
    WRITERS_OVERLAP = False
    CHANGE_HORIZON = None

    def __init__(self, writer: ConnectionThread, reader: ConnectionThread) -> None:
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._init_group_commit()
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
    async def _sqlite_transaction(self, *, durable: bool = True) -> AsyncIterator[Db]:
        async with self._write_lock:
            if not durable:  # the pragma applies to the connection's next commits
                await self._writer.execute_fetchall("PRAGMA synchronous = NORMAL")
            try:
                await self._writer.run(_begin)
                try:
                    yield SQLiteDb(self._writer)
                    await self._writer.run(_commit)
                except BaseException:
                    await self._writer.run(_roll_back)
                    raise
            finally:
                if not durable:
                    await self._writer.execute_fetchall("PRAGMA synchronous = FULL")
            self._committed()

    def _transaction(self) -> AbstractAsyncContextManager[Db]:
        return self._sqlite_transaction()

    async def _run_write(self, work: Callable[[Db], Awaitable[W]]) -> W:
        async with self._write_lock:
            result = await self._writer.run(partial(_whole_transaction, work=work))
        self._committed()
        return result

    async def _bookkeep(self, *statements: tuple[str, Params]) -> list[list[Any]]:
        async with self._write_lock:
            result = await self._writer.run(partial(_unsynced, statements=statements))
        self._committed()
        return result

    def _exclusive_transaction(self, *, durable: bool = True) -> AbstractAsyncContextManager[Db]:
        # One file, one writer: every write transaction is exclusive already.
        return self._sqlite_transaction(durable=durable)

    async def _one(self, sql: str, params: Params = ()) -> Any:
        rows = await self._reader.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Params = ()) -> list[Any]:
        return await self._reader.execute_fetchall(sql, params)

    async def _write(self, sql: str, params: Params = ()) -> list[Any]:
        async with self._write_lock:
            return await self._writer.execute_fetchall(sql, params)

    async def _record_batch(self, batch: list[EntryWork]) -> list[Recorded]:
        async with self._write_lock:
            return await self._writer.run(partial(_record, work=batch))
