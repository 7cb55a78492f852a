"""What every feature store shares, whatever the backend: the write discipline, row
mapping and the SQL both backends run.

Modelled on Datasette's `Database`: a feature store's method is plain query code over a
connection (`Db`), which the backend runs either as a read (`_one`, `_all`) or inside
its single write path (`_transaction`, `_write`): SQLite's one writer connection,
PostgreSQL's pooled transaction. The stores (`sqlite_core.py`, `sqlite_boards.py`, ...:
named for the backend they were first written for) inherit this class only, so
`SQLiteRepository` and `PostgresRepository` put the same stores on different bases.
Their SQL is the subset both backends understand, with SQLite's placeholders
(storage/sql.py translates them for PostgreSQL).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from storage.repository import MemberPeriod
from tracker.models import Channel, Entry, EntryState, Member, Role, Unit

MEMBER_COLUMNS = "id, unit_id, name, phone, role, language, telegram_user_id"
ENTRY_COLUMNS = "id, member_id, unit_id, program, day, count, channel, state, created_at"
UNIT_COLUMNS = "id, parent_id, path, group_chat_id"
COUNTING = "state IN ('reported', 'confirmed')"

# A unit's subtree as an index range on `lineage` ('/1/4/' .. '/1/4/~'): a LIKE with a
# computed pattern would scan every unit of the country. Bind the scope unit's id first.
SCOPE = "WITH scope AS (SELECT lineage AS low, lineage || '~' AS high FROM units WHERE id = ?) "

Params = Sequence[Any] | Mapping[str, Any]
W = TypeVar("W")

# An entry's column values and the period whose standing its caller wants (if any);
# what comes back: the stored row, whether it is new, that standing.
EntryWork = tuple[tuple[Any, ...], str | None]
Recorded = tuple[Any, bool, MemberPeriod | None]


def under_scope(alias: str) -> str:
    """SQL: the unit `alias` lies in the subtree of the query's `scope`."""
    return (
        f"{alias}.lineage >= (SELECT low FROM scope) AND {alias}.lineage < (SELECT high FROM scope)"
    )


def in_range(alias: str) -> str:
    """SQL: the unit `alias` lies in the lineage range given as values `:low`, `:high`
    (`StoreBase._lineage_range`): PostgreSQL plans for the scope's real size, where
    through `SCOPE` it guessed 19 units whatever the scope."""
    return f"{alias}.lineage >= :low AND {alias}.lineage < :high"


class Db(Protocol):
    """A connection inside a write transaction (or a read), as the stores use it."""

    async def execute(self, sql: str, params: Params = ()) -> None: ...
    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]: ...
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...
    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert many plain rows (no conflict clause) as fast as the backend can:
        materialising a board for a country writes 100,000 targets at once."""
        ...

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Tell the planner about a table that just grew by a board's worth of rows
        (PostgreSQL plans from statistics, which lag a bulk insert by a minute or more;
        SQLite's board statements carry index hints and need none)."""
        ...


TRANSACTION_HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
"""PostgreSQL's oldest transaction still running, as a number: its CHANGE_HORIZON."""


class StoreBase(ABC):
    """The primitives a backend provides; the feature stores use nothing else."""

    INDEX_HINTS: bool
    """Whether the backend takes SQLite's `INDEXED BY` (PostgreSQL plans for itself)."""
    KEEPS_PLANS: bool
    """Whether the statements of storage/kept_plans.py run as the functions generated
    from them (PostgreSQL: planned once per server session), else as written (SQLite
    keeps its prepared statements itself)."""
    WRITERS_OVERLAP: bool
    """Whether write transactions commit while another runs (PostgreSQL), rather than
    one after another (SQLite's one writer)."""
    CHANGE_HORIZON: str | None
    """SQL for the oldest transaction still running (PostgreSQL: `unit_changes` is marked
    by transaction ids, see migration 0101), or None where one change counter is exact
    (SQLite: one writer commits in counter order)."""

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Db]:
        """One write transaction: committed on leaving, rolled back on an exception."""

    @abstractmethod
    async def _run_write(self, work: Callable[[Db], Awaitable[W]]) -> W:
        """`work` as one write transaction, committed when it returns and rolled back when
        it raises: Datasette's `execute_write_fn`, written as async code over `Db` so
        both backends run the same function. `work` awaits nothing but its `Db`: SQLite
        runs it whole on the writer's thread (one crossing, not one per statement),
        PostgreSQL in a pooled transaction."""

    @abstractmethod
    def _exclusive_transaction(self, *, durable: bool = True) -> AbstractAsyncContextManager[Db]:
        """A write transaction no other process's exclusive transaction overlaps: for
        work that reads, then writes what it read (materialising a board). Not `durable`:
        its commit need not reach the disk before it returns (as `_bookkeep`'s), for work
        a crash may lose because it is done again: what it writes is derived from rows
        already stored, and the marks that ask for it are cleared in the same transaction.
        The log is written in order, so any later durable commit carries it to disk."""

    @abstractmethod
    async def _bookkeep(self, *statements: tuple[str, Params]) -> list[list[Any]]:
        """`statements` as one write transaction whose commit need not reach the disk
        before it returns, and each one's rows: for bookkeeping a crash may lose (never
        reorder), such as an update's claim; the next durable commit carries it to disk.
        The statements are fixed beforehand (no Python runs between them), so each
        backend sends them at once: SQLite in one crossing to its writer, PostgreSQL in
        one round trip."""

    @abstractmethod
    async def _one(self, sql: str, params: Params = ()) -> Any:
        """The first row of a read, or None."""

    @abstractmethod
    async def _all(self, sql: str, params: Params = ()) -> list[Any]:
        """Every row of a read."""

    async def _lineage_range(self, unit_id: int) -> tuple[str, str]:
        """`unit_id`'s subtree as a range of lineages (low, high), read on its own so that
        a statement takes it as values: PostgreSQL then plans for the scope's real size
        (through `SCOPE`'s subquery it guessed 19 units for a country and probed the
        totals one unit at a time). An empty range when the unit does not exist.

        Kept per repository once read: a unit's lineage is set in the transaction that
        creates it and never changes (units are neither moved nor deleted), so a lead's
        view does not spend a round trip on it per statement."""
        known: dict[int, str] = vars(self).setdefault("_known_lineages", {})
        lineage = known.get(unit_id)
        if lineage is None:
            row = await self._one("SELECT lineage FROM units WHERE id = ?", (unit_id,))
            if row is None:
                return ("", "")
            lineage = known[unit_id] = row[0]
        return (lineage, lineage + "~")

    @abstractmethod
    async def _write(self, sql: str, params: Params = ()) -> list[Any]:
        """One statement in its own write transaction; the rows it returns."""

    async def _vacuum(self, tables: Sequence[str]) -> None:
        """After a bulk write to `tables`, outside any transaction: the space of rows
        deleted given back, so that reading them does not walk the dead rows, and the
        pages of rows inserted marked all-visible, so that index-only scans need not
        visit them (PostgreSQL's VACUUM; SQLite reuses a deleted row's space at once and
        has no visibility to mark)."""
        return

    @abstractmethod
    async def _store_entry(self, work: EntryWork) -> Recorded:
        """Insert an entry (a no-op for a source key seen before) and read what its
        caller asked for, in one transaction: the logging path, tuned per backend."""


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


def entry_subject(entry: Entry, member_name: str) -> str:
    """How the audit log names an entry: `#12 Nguyễn Thị Lan · TN 2 (23/11/2026)`."""
    return (
        f"#{entry.id} {member_name} · {entry.program} {entry.count}"
        f" ({entry.day.strftime('%d/%m/%Y')})"
    )


async def write_audit(
    db: Db,
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


async def audit_group_bind(
    db: Db, by: tuple[int, datetime], unit_id: int, before: str | None, after: str
) -> None:
    """A lead made a chat the unit's team group (Telegram and Zalo alike)."""
    actor, now = by
    await write_audit(db, now, actor, unit_id, "group.bind", str(unit_id), before, after)
