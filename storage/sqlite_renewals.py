"""Participants who stay on SQLite: due lists, renewals, unit participant counts.

`participant_terms` (migration 0050) holds where each participant stands and is kept
current by triggers; a renewal is planned by `tracker.renewals.plan_renewal` inside the
transaction that stores it, so two renewals at once cannot both extend the same date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from storage.renewals_repository import (
    DueCount,
    DueParticipant,
    NewRenewal,
    RenewalOutcome,
    RenewalResult,
    RetentionFigures,
    UnitDueCount,
)
from storage.repository import ImportRejected
from storage.sqlite_core import normalise_unit_path
from storage.sqlite_enrolments import JOINING, LAPSING, EnrolmentStore
from storage.store_base import COUNTING, SCOPE, Db, in_range, under_scope
from tracker.participant_counts import CountEvent, CountFigure, CountRow
from tracker.renewals import (
    RenewalKind,
    RenewalPlan,
    lapse_known_before,
    paid_until,
    paired_renewal,
    plan_renewal,
)

_DUE_COLUMNS = "p.last3, p.program, p.paid_until, p.member_id, m.name"


def _due(rows: Iterable[Any]) -> list[DueParticipant]:
    return [DueParticipant(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4]) for r in rows]


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


class RenewalStore(EnrolmentStore):
    async def due_for_member(self, member_id: int, first: date, last: date) -> list[DueParticipant]:
        rows = await self._all(
            f"SELECT {_DUE_COLUMNS} FROM participant_terms p JOIN members m ON m.id = p.member_id"
            " WHERE p.member_id = ? AND p.paid_until BETWEEN ? AND ?"
            " ORDER BY p.paid_until, p.program, p.last3",
            (member_id, first.isoformat(), last.isoformat()),
        )
        return _due(rows)

    async def due_in_subtree(self, unit_id: int, first: date, last: date) -> list[DueParticipant]:
        rows = await self._all(
            f"{SCOPE}SELECT {_DUE_COLUMNS} FROM units u"
            " JOIN participant_terms p ON p.unit_id = u.id AND p.paid_until BETWEEN ? AND ?"
            f" JOIN members m ON m.id = p.member_id WHERE {under_scope('u')}"
            " ORDER BY m.name, p.member_id, p.paid_until, p.program, p.last3",
            (unit_id, first.isoformat(), last.isoformat()),
        )
        return _due(rows)

    async def due_counts(
        self, unit_id: int, first: date, last: date, today: date
    ) -> list[DueCount]:
        rows = await self._all(
            f"{SCOPE}SELECT p.member_id, m.name,"
            " sum(CASE WHEN p.paid_until >= ? THEN 1 ELSE 0 END),"
            " sum(CASE WHEN p.paid_until < ? THEN 1 ELSE 0 END)"
            " FROM units u"
            " JOIN participant_terms p ON p.unit_id = u.id AND p.paid_until BETWEEN ? AND ?"
            f" JOIN members m ON m.id = p.member_id WHERE {under_scope('u')}"
            " GROUP BY p.member_id, m.name ORDER BY m.name, p.member_id",
            (unit_id, today.isoformat(), today.isoformat(), first.isoformat(), last.isoformat()),
        )
        return [DueCount(r[0], r[1], r[2], r[3]) for r in rows]

    async def due_counts_by_unit(
        self, unit_id: int, first: date, last: date, today: date
    ) -> list[UnitDueCount]:
        # Per unit, two counts of one index range each (participant_terms_unit): a
        # province's 40,000 due dates are counted, not read and added up one by one
        # (8 times faster on the 1M-entry province).
        rows = await self._all(
            f"{SCOPE}SELECT u.id,"
            " (SELECT count(*) FROM participant_terms p WHERE p.unit_id = u.id"
            "  AND p.paid_until >= ? AND p.paid_until <= ?),"
            " (SELECT count(*) FROM participant_terms p WHERE p.unit_id = u.id"
            "  AND p.paid_until >= ? AND p.paid_until < ?)"
            f" FROM units u WHERE {under_scope('u')}",
            (unit_id, today.isoformat(), last.isoformat(), first.isoformat(), today.isoformat()),
        )
        return [UnitDueCount(r[0], r[1], r[2]) for r in rows if r[1] or r[2]]

    async def due_counts_everywhere(self, first: date, last: date) -> dict[int, int]:
        rows = await self._all(
            "SELECT member_id, count(*) FROM participant_terms"
            " WHERE paid_until BETWEEN ? AND ? GROUP BY member_id",
            (first.isoformat(), last.isoformat()),
        )
        return {row[0]: row[1] for row in rows}

    async def record_renewal(self, renewal: NewRenewal, grace_days: int) -> RenewalResult:
        async def work(db: Db) -> RenewalResult:
            if renewal.source_key is not None:
                seen = await _fetch_one(
                    db,
                    "SELECT kind, paid_until, due_was FROM renewals WHERE source_key = ?",
                    (renewal.source_key,),
                )
                if seen is not None:
                    return _result(RenewalOutcome.REPEATED, seen)
            if renewal.collected_from is not None:
                seen = await _fetch_one(
                    db,
                    "SELECT kind, paid_until, due_was FROM renewals WHERE participant_hash = ?"
                    " AND program = ? AND collected_day = ?",
                    (renewal.participant_hash, renewal.program, renewal.day.isoformat()),
                )
                if seen is not None:
                    return _result(RenewalOutcome.REPEATED, seen)
            standing = await _standing(db, renewal)
            if standing is None:
                return RenewalResult(RenewalOutcome.UNKNOWN)
            owner_unit, current = standing
            paired = await _pair(db, renewal)
            if paired is not None:
                return paired
            if current is None:  # logged without a term: the cover starts now
                plan = RenewalPlan(
                    RenewalKind.EARLY, renewal.day, paid_until(renewal.day, renewal.term_months)
                )
            else:
                plan = plan_renewal(current, renewal.day, renewal.term_months, grace_days)
            by_hand = renewal.collected_from is None
            await db.execute(
                "INSERT INTO renewals (participant_hash, program, last3, member_id, unit_id, day,"
                " term_months, kind, due_was, paid_until, created_at, source_key, collected_day,"
                f" collected_from) VALUES ({', '.join('?' * 14)})",
                (
                    renewal.participant_hash,
                    renewal.program,
                    renewal.last3,
                    renewal.member_id,
                    renewal.unit_id if renewal.unit_id is not None else owner_unit,
                    renewal.day.isoformat(),
                    renewal.term_months,
                    plan.kind.value,
                    None if current is None else current.isoformat(),
                    plan.until.isoformat(),
                    renewal.created_at.isoformat(),
                    renewal.source_key,
                    None if by_hand else renewal.day.isoformat(),
                    renewal.collected_from,
                ),
            )
            return RenewalResult(RenewalOutcome.RECORDED, plan.kind, plan.until, current)

        return await self._run_write(work)

    async def import_participant_counts(self, rows: list[CountRow], now: datetime) -> int:
        async def work(db: Db) -> int:
            problems: list[tuple[int, str, str]] = []
            resolved: list[tuple[int, CountRow]] = []
            for row in rows:
                unit = await _fetch_one(
                    db, "SELECT id FROM units WHERE path = ?", (normalise_unit_path(row.unit_path),)
                )
                if unit is None:
                    problems.append((row.line, "import.unknown_unit", row.unit_path))
                else:
                    resolved.append((unit[0], row))
            if problems:
                raise ImportRejected(problems)
            await db.executemany(
                "INSERT INTO participant_counts (unit_id, program, as_of, count, imported_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (unit_id, program, as_of)"
                " DO UPDATE SET count = excluded.count, imported_at = excluded.imported_at",
                [
                    (unit_id, row.program, row.as_of.isoformat(), row.count, now.isoformat())
                    for unit_id, row in resolved
                ],
            )
            return len(rows)

        return await self._run_write(work)

    async def own_count_figures(self, unit_id: int) -> list[CountFigure]:
        rows = await self._all(
            "SELECT unit_id, program, as_of, count FROM participant_counts WHERE unit_id = ?"
            " ORDER BY as_of, program",
            (unit_id,),
        )
        return [CountFigure(r[0], r[1], date.fromisoformat(r[2]), r[3]) for r in rows]

    async def count_figures(self, unit_id: int) -> list[CountFigure]:
        low, high = await self._lineage_range(unit_id)
        rows = await self._all(
            "SELECT c.unit_id, c.program, c.as_of, c.count FROM units u"
            f" JOIN participant_counts c ON c.unit_id = u.id WHERE {in_range('u')}"
            " ORDER BY c.as_of, c.unit_id, c.program",
            {"low": low, "high": high},
        )
        return [CountFigure(r[0], r[1], date.fromisoformat(r[2]), r[3]) for r in rows]

    async def count_events(
        self, unit_id: int, after: date, through: date, lapsed_before: date
    ) -> list[CountEvent]:
        low, high = await self._lineage_range(unit_id)
        rows = await self._all(
            f"{JOINING} UNION ALL {LAPSING}",
            {"low": low, "high": high, "after": after.isoformat(), "through": through.isoformat()}
            | {"below": min(through + timedelta(days=1), lapsed_before).isoformat()},
        )
        return [CountEvent(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5]) for r in rows]

    async def member_retention(
        self, unit_id: int, first: date, last: date, today: date
    ) -> dict[int, tuple[int, int]]:
        low, high = first.isoformat(), min(last, today).isoformat()
        rows = await self._all(
            f"{SCOPE}SELECT member_id, sum(retained), count(*) FROM ("
            " SELECT t.member_id, CASE WHEN r.kind != 'rejoin' THEN 1 ELSE 0 END AS retained"
            " FROM units u"
            " JOIN renewals r ON r.unit_id = u.id AND r.due_was BETWEEN ? AND ?"
            " JOIN participant_terms t ON t.participant_hash = r.participant_hash"
            f" AND t.program = r.program WHERE {under_scope('u')}"
            " UNION ALL SELECT p.member_id, 0 FROM units u"
            " JOIN participant_terms p ON p.unit_id = u.id AND p.paid_until BETWEEN ? AND ?"
            f" WHERE {under_scope('u')}) AS dues GROUP BY member_id",
            (unit_id, low, high, low, high),
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    async def unit_lineages(self, unit_id: int) -> dict[int, str]:
        low, high = await self._lineage_range(unit_id)
        rows = await self._all(
            f"SELECT u.id, u.lineage FROM units u WHERE {in_range('u')}", {"low": low, "high": high}
        )
        return {row[0]: row[1] for row in rows}

    async def retention(
        self, unit_id: int, first: date, last: date, today: date, grace_days: int
    ) -> list[RetentionFigures]:
        lapse_below = min(last + timedelta(days=1), lapse_known_before(today, grace_days))
        low, high = await self._lineage_range(unit_id)
        # A rejoin renewal means its due date passed unpaid through the whole grace.
        rows = await self._all(
            "SELECT program, sum(renewed), sum(retained), sum(unpaid), sum(lapsed) FROM ("
            " SELECT r.program, CASE WHEN r.day BETWEEN :first AND :last THEN 1 ELSE 0 END"
            " AS renewed, CASE WHEN r.kind != 'rejoin'"
            " AND r.due_was BETWEEN :first AND :due_last THEN 1 ELSE 0 END AS retained,"
            " CASE WHEN r.kind = 'rejoin' AND r.due_was BETWEEN :first AND :last"
            " THEN 1 ELSE 0 END AS unpaid,"
            " CASE WHEN r.kind = 'rejoin' AND r.due_was BETWEEN :first AND :last"
            " THEN 1 ELSE 0 END AS lapsed"
            f" FROM units u JOIN renewals r ON r.unit_id = u.id WHERE {in_range('u')}"
            " AND (r.day BETWEEN :first AND :last OR r.due_was BETWEEN :first AND :last)"
            " UNION ALL SELECT p.program, 0, 0, 1,"
            " CASE WHEN p.paid_until < :lapse_below THEN 1 ELSE 0 END FROM units u"
            " JOIN participant_terms p ON p.unit_id = u.id"
            f" AND p.paid_until BETWEEN :first AND :due_last WHERE {in_range('u')}"
            ") AS figures GROUP BY program ORDER BY program",
            {"low": low, "high": high, "first": first.isoformat(), "last": last.isoformat()}
            | {"due_last": min(last, today).isoformat(), "lapse_below": lapse_below.isoformat()},
        )
        return [
            RetentionFigures(
                program=r[0], renewed=r[1], fallen_due=r[2] + r[3], retained=r[2], lapsed=r[4]
            )
            for r in rows
        ]


async def _fetch_one(db: Db, sql: str, params: tuple[Any, ...]) -> Any:
    rows = await db.execute_fetchall(sql, params)
    return next(iter(rows), None)


def _result(outcome: RenewalOutcome, row: Any) -> RenewalResult:
    return RenewalResult(outcome, RenewalKind(row[0]), _day(row[1]), _day(row[2]))


async def _standing(db: Db, renewal: NewRenewal) -> tuple[int, date | None] | None:
    """The participant's unit and paid-until date; None when unknown (to the typer)."""
    key = (renewal.participant_hash, renewal.program)
    if renewal.unit_id is not None:  # typed: logged (and still counting) in the typer's subtree
        logged = await _fetch_one(
            db,
            f"{SCOPE}SELECT 1 FROM entries e JOIN units u ON u.id = e.unit_id"
            " WHERE e.participant_hash = ? AND e.program = ?"
            f" AND e.{COUNTING} AND {under_scope('u')} LIMIT 1",
            (renewal.unit_id, *key),
        )
        if logged is None:
            return None
    row = await _fetch_one(
        db,
        "SELECT p.unit_id, p.paid_until, e.day FROM participant_terms p"
        " JOIN entries e ON e.id = p.entry_id WHERE p.participant_hash = ? AND p.program = ?",
        key,
    )
    if row is None:
        return None
    if renewal.collected_from is not None and renewal.day.isoformat() <= row[2]:
        return None  # a payment before the enrolment logged is not a renewal of it
    return row[0], _day(row[1])


async def _pair(db: Db, renewal: NewRenewal) -> RenewalResult | None:
    """Join the other source's record of the same payment, if there is one."""
    by_hand = renewal.collected_from is None
    other = "member_id IS NULL" if by_hand else "collected_day IS NULL"
    rows = await db.execute_fetchall(
        f"SELECT id, day FROM renewals WHERE participant_hash = ? AND program = ? AND {other}",
        (renewal.participant_hash, renewal.program),
    )
    found = paired_renewal(renewal.day, [(row[0], date.fromisoformat(row[1])) for row in rows])
    if found is None:
        return None
    if by_hand:
        await db.execute(
            "UPDATE renewals SET member_id = ?, source_key = ? WHERE id = ?",
            (renewal.member_id, renewal.source_key, found),
        )
    else:
        await db.execute(
            "UPDATE renewals SET collected_day = ?, collected_from = ? WHERE id = ?",
            (renewal.day.isoformat(), renewal.collected_from, found),
        )
    seen = await _fetch_one(
        db, "SELECT kind, paid_until, due_was FROM renewals WHERE id = ?", (found,)
    )
    return _result(RenewalOutcome.PAIRED, seen)
