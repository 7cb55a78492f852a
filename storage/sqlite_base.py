"""What every SQLite store shares: the two connections, transactions, row mapping.

Modelled on Datasette's `Database`: a writer connection behind a lock (each write is
one transaction, `BEGIN IMMEDIATE` when it has several statements) and a reader
connection that WAL lets run beside it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import aiosqlite

from storage.repository import MemberPeriod
from tracker.models import Channel, Entry, EntryState, Member, Role, Unit

MEMBER_COLUMNS = "id, unit_id, name, phone, role, language, telegram_user_id"
ENTRY_COLUMNS = "id, member_id, unit_id, program, day, count, channel, state, created_at"
UNIT_COLUMNS = "id, parent_id, path, group_chat_id"
COUNTING = "state IN ('reported', 'confirmed')"

# A unit's subtree as an index range on `lineage` ('/1/4/' .. '/1/4/~'): a LIKE with a
# computed pattern would scan every unit of the country. Bind the scope unit's id first.
SCOPE = "WITH scope AS (SELECT lineage AS low, lineage || '~' AS high FROM units WHERE id = ?) "


def under_scope(alias: str) -> str:
    """SQL: the unit `alias` lies in the subtree of the query's `scope`."""
    return (
        f"{alias}.lineage >= (SELECT low FROM scope) AND {alias}.lineage < (SELECT high FROM scope)"
    )


T = TypeVar("T")

# Group commit: an entry's column values and the period whose standing its caller
# wants (if any); what comes back: the stored row, whether it is new, that standing.
EntryWork = tuple[tuple[Any, ...], str | None]
Recorded = tuple[Any, bool, MemberPeriod | None]
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


def member_from(row: Any) -> Member:
    return Member(row[0], row[1], row[2], row[3], Role(row[4]), row[5], row[6])


def entry_from(row: Any) -> Entry:
    return Entry(
        id=row[0],
        member_id=row[1],
        unit_id=row[2],
        program=row[3],
        day=date.fromisoformat(row[4]),
        count=row[5],
        channel=Channel(row[6]),
        state=EntryState(row[7]),
        created_at=datetime.fromisoformat(row[8]),
    )


def unit_from(row: Any) -> Unit:
    return Unit(row[0], row[1], row[2], row[3])


class SQLiteBase:
    """The connections and the write discipline; feature stores inherit from it."""

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
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")
            self._committed()

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        rows = await self._reader.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return list(await self._reader.execute_fetchall(sql, tuple(params)))


def entry_subject(entry: Entry, member_name: str) -> str:
    """How the audit log names an entry: `#12 Nguyễn Thị Lan · TN 2 (23/11/2026)`."""
    return (
        f"#{entry.id} {member_name} · {entry.program} {entry.count}"
        f" ({entry.day.strftime('%d/%m/%Y')})"
    )


async def write_audit(
    db: aiosqlite.Connection,
    now: datetime,
    actor_id: int,
    unit_id: int,
    action: str,
    subject: str,
    before: str | None,
    after: str | None,
) -> None:
    """Who changed what, when, before and after: in the same transaction as the change."""
    await db.execute(
        "INSERT INTO audit_log (at, actor_id, unit_id, action, subject, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (now.isoformat(), actor_id, unit_id, action, subject, before, after),
    )
