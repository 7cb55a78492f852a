"""Leaderboards, emulation and badges: bulk reads over a unit subtree, group bindings."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from leaderboards.badges import EntryFact
from storage.repository import PeriodTotal, PersonPeriod
from storage.store_base import (
    COUNTING,
    MEMBER_COLUMNS,
    SCOPE,
    UNIT_COLUMNS,
    Db,
    StoreBase,
    audit_group_bind,
    member_from,
    under_scope,
    unit_from,
    write_audit,
)
from tracker.models import Member, TargetKind, Unit
from tracker.quotas import QuotaBook


def _totals(rows: list[tuple[int, str, int, str | None]]) -> list[PeriodTotal]:
    return [
        PeriodTotal(key, program, achieved, None if last is None else datetime.fromisoformat(last))
        for key, program, achieved, last in rows
    ]


def _id_range(ids: tuple[int, int] | None, *columns: str) -> tuple[str, tuple[int, ...]]:
    """SQL and parameters: each of `columns` within the closed range `ids` (None: no
    condition). Said of both sides of a join, the range leads the plan: PostgreSQL cannot
    size a subtree (its bounds come from the `scope` CTE), and starting from the subtree
    read the whole country's members for every page (150 ms against 25-45 ms)."""
    if ids is None:
        return "", ()
    return "".join(f" AND {column} BETWEEN ? AND ?" for column in columns), ids * len(columns)


class BoardStore(StoreBase):
    async def subtree_units(self, unit_id: int) -> list[Unit]:
        """The unit and every unit below it."""
        rows = await self._all(
            f"{SCOPE}SELECT {UNIT_COLUMNS} FROM units u WHERE {under_scope('u')} ORDER BY path",
            (unit_id,),
        )
        return [unit_from(row) for row in rows]

    async def child_units(self, unit_id: int) -> list[Unit]:
        """The units right under the unit, by path."""
        rows = await self._all(
            f"SELECT {UNIT_COLUMNS} FROM units WHERE parent_id = ? ORDER BY path", (unit_id,)
        )
        return [unit_from(row) for row in rows]

    async def people_in_period(
        self, unit_id: int, period_key: str, programs: tuple[str, ...]
    ) -> list[PersonPeriod]:
        """Everyone now in the subtree with their total and quota book, in one query:
        a province board is 5,000 rows, and one indexed pass beats three big ones."""
        marks = ", ".join("?" * len(programs))
        rows = await self._all(
            f"{SCOPE}SELECT m.id, m.name, m.unit_id, m.role,"
            # One lookup for both the total and when it was reached, packed in a string.
            " (SELECT sum(t.achieved) || ' ' || coalesce(max(t.last_at), '')"
            "   FROM entry_totals t WHERE t.period_key = ?"
            f"   AND t.member_id = m.id AND t.program IN ({marks})),"
            " (SELECT group_concat(q.program || ' ' || q.period_key || ' ' || q.value, ',')"
            "   FROM quotas q WHERE q.target_kind = 'member' AND q.target_id = m.id"
            f"   AND q.program IN ({marks}))"
            f" FROM members m JOIN units u ON u.id = m.unit_id WHERE {under_scope('u')}",
            (unit_id, period_key, *programs, *programs),
        )
        people = []
        for member_id, name, unit, role, total, book in rows:
            achieved, _, last_at = (total or "0 ").partition(" ")
            people.append(
                PersonPeriod(member_id, name, unit, role, int(achieved), last_at or None, book)
            )
        return people

    async def subtree_members(
        self, unit_id: int, *, after: int = 0, limit: int | None = None
    ) -> list[Member]:
        """Members in the subtree; with `limit`, a page of them by id, from after `after`."""
        page = " AND m.id > ? ORDER BY m.id LIMIT ?" if limit is not None else ""
        rows = await self._all(
            f"{SCOPE}SELECT {', '.join('m.' + c for c in MEMBER_COLUMNS.split(', '))}"
            f" FROM members m JOIN units u ON u.id = m.unit_id WHERE {under_scope('u')}{page}",
            (unit_id, after, limit) if limit is not None else (unit_id,),
        )
        return [member_from(row) for row in rows]

    async def member_totals(
        self, unit_id: int, period_key: str, *, ids: tuple[int, int] | None = None
    ) -> list[PeriodTotal]:
        """Per member now in the subtree and program: all their entries of the period
        (with `ids`, only members whose id lies in that closed range)."""
        among, bounds = _id_range(ids, "t.member_id", "m.id")
        rows = await self._all(
            f"{SCOPE}SELECT t.member_id, t.program, sum(t.achieved), max(t.last_at)"
            " FROM entry_totals t JOIN members m ON m.id = t.member_id"
            " JOIN units u ON u.id = m.unit_id"
            f" WHERE t.period_key = ?{among} AND {under_scope('u')}"
            " GROUP BY t.member_id, t.program",
            (unit_id, period_key, *bounds),
        )
        return _totals(rows)

    async def unit_totals(self, unit_id: int, period_key: str) -> list[PeriodTotal]:
        """Per unit in the subtree and program: entries credited to the unit they were
        logged in, so a member's past entries stay with their old unit after a move."""
        rows = await self._all(
            f"{SCOPE}SELECT t.unit_id, t.program, sum(t.achieved), max(t.last_at)"
            " FROM entry_totals t JOIN units u ON u.id = t.unit_id"
            f" WHERE t.period_key = ? AND {under_scope('u')}"
            " GROUP BY t.unit_id, t.program",
            (unit_id, period_key),
        )
        return _totals(rows)

    async def subtree_quota_books(
        self, kind: TargetKind, unit_id: int, *, ids: tuple[int, int] | None = None
    ) -> dict[int, dict[str, QuotaBook]]:
        """Quota books of every member (or unit) in the subtree: target id -> program -> book
        (with `ids`, only targets whose id lies in that closed range)."""
        owners = (
            "JOIN members m ON m.id = q.target_id JOIN units u ON u.id = m.unit_id"
            if kind is TargetKind.MEMBER
            else "JOIN units u ON u.id = q.target_id"
        )
        owner = "m.id" if kind is TargetKind.MEMBER else "u.id"
        among, bounds = _id_range(ids, "q.target_id", owner)
        rows = await self._all(
            f"{SCOPE}SELECT q.target_id, q.program, q.period_key, q.value FROM quotas q {owners}"
            f" WHERE q.target_kind = ?{among} AND {under_scope('u')}",
            (unit_id, kind.value, *bounds),
        )
        books: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for target_id, program, period_key, value in rows:
            books[target_id][program][period_key] = value
        return {target: dict(programs) for target, programs in books.items()}

    async def member_entries(self, member_id: int, first: date, last: date) -> list[EntryFact]:
        rows = await self._all(
            f"SELECT day, count, program, {COUNTING}, created_at, term_months FROM entries"
            " WHERE member_id = ? AND day BETWEEN ? AND ? ORDER BY created_at",
            (member_id, first.isoformat(), last.isoformat()),
        )
        return [
            EntryFact(date.fromisoformat(d), c, p, bool(k), datetime.fromisoformat(at), term)
            for d, c, p, k, at, term in rows
        ]

    async def bind_group(
        self, unit_id: int, chat_id: int, by: tuple[int, datetime] | None = None
    ) -> None:
        """Make `chat_id` the unit's team group (a group serves one unit at a time).

        `by`: the lead doing it and when, for the audit log.
        """

        async def work(db: Db) -> None:
            if by is not None:
                rows = await db.execute_fetchall(
                    "SELECT group_chat_id FROM units WHERE id = ?", (unit_id,)
                )
                before = next(iter(rows))[0]
                await audit_group_bind(
                    db, by, unit_id, None if before is None else str(before), str(chat_id)
                )
            await db.execute(
                "UPDATE units SET group_chat_id = NULL WHERE group_chat_id = ?", (chat_id,)
            )
            await db.execute("UPDATE units SET group_chat_id = ? WHERE id = ?", (chat_id, unit_id))

        await self._run_write(work)

    async def nearest_group_chat(self, unit_id: int) -> int | None:
        """The team group of the unit, or of its nearest ancestor that has one."""
        row = await self._one(
            "SELECT group_chat_id FROM units WHERE group_chat_id IS NOT NULL"
            " AND (SELECT lineage FROM units WHERE id = ?) LIKE lineage || '%'"
            " ORDER BY length(lineage) DESC LIMIT 1",
            (unit_id,),
        )
        return None if row is None else int(row[0])

    async def term_totals(
        self, unit_id: int, first: date, last: date
    ) -> list[tuple[int, int, str, int | None, int]]:
        """(member, unit logged in, program, payment term, participants) over the subtree's
        members' counting entries in [first, last]: what emulation weighs."""
        rows = await self._all(
            f"{SCOPE}SELECT e.member_id, e.unit_id, e.program, e.term_months, sum(e.count)"
            " FROM entries e JOIN members m ON m.id = e.member_id"
            " JOIN units u ON u.id = m.unit_id WHERE e.day BETWEEN ? AND ?"
            f" AND e.{COUNTING} AND {under_scope('u')}"
            " GROUP BY e.member_id, e.unit_id, e.program, e.term_months",
            (unit_id, first.isoformat(), last.isoformat()),
        )
        return [(m, u, p, t, int(c)) for m, u, p, t, c in rows]

    async def claim_celebration(
        self, member_id: int, program: str, month_key: str, now: datetime
    ) -> bool:
        """True the first time only: a quota met is announced once per member and month."""
        rows = await self._write(
            "INSERT INTO celebrations (member_id, program, month_key, celebrated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING member_id",
            (member_id, program, month_key, now.isoformat()),
        )
        return bool(rows)

    async def record_initiative(
        self, member_id: int, year: int, note: str, by: int, now: datetime
    ) -> None:
        member = await self._one("SELECT unit_id FROM members WHERE id = ?", (member_id,))

        async def work(db: Db) -> None:
            rows = await db.execute_fetchall(
                "SELECT note FROM initiatives WHERE member_id = ? AND year = ?", (member_id, year)
            )
            before = next(iter(rows), (None,))[0]
            await db.execute(
                "INSERT INTO initiatives (member_id, year, note, recorded_by, recorded_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, year) DO UPDATE SET"
                " note = excluded.note, recorded_by = excluded.recorded_by,"
                " recorded_at = excluded.recorded_at",
                (member_id, year, note, by, now.isoformat()),
            )
            await write_audit(
                db, now, by, member[0], "initiative", f"{member_id}/{year}", before, note
            )

        await self._run_write(work)

    async def has_initiative(self, member_id: int, year: int) -> bool:
        row = await self._one(
            "SELECT 1 FROM initiatives WHERE member_id = ? AND year = ?", (member_id, year)
        )
        return row is not None

    async def members_with_initiative(self, unit_id: int, year: int) -> set[int]:
        rows = await self._all(
            f"{SCOPE}SELECT i.member_id FROM initiatives i JOIN members m ON m.id = i.member_id"
            f" JOIN units u ON u.id = m.unit_id WHERE i.year = ? AND {under_scope('u')}",
            (unit_id, year),
        )
        return {row[0] for row in rows}
