"""Participants joining a subtree (new enrolments and rejoining ones), on both backends.

`enrolments` adds them up from the entries and renewals of any run of days: the rule.
`period_enrolments` reads the same figures for a period from sums kept on the write path
(migration 0121, and unit_period_totals of 0007), which a national report needs: the
period's entries of a whole country are 60,000 rows, its kept sums one row per unit.
tests/test_board_sql.py checks that both agree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from storage.store_base import COUNTING, StoreBase, in_range
from tracker.periods import VIETNAM, Period, PeriodKind, period_containing

# Participants joining a subtree per unit, program and day in (:after, :through]: new
# enrolments and rejoining ones (entries, and rejoins among renewals). The subtree is the
# lineage range `:low`, `:high` (`in_range`).
JOINING = (
    "SELECT u.id AS unit_id, e.program AS program, e.day AS day,"
    " sum(CASE WHEN e.rejoin = 1 THEN 0 ELSE e.count END) AS new,"
    " sum(CASE WHEN e.rejoin = 1 THEN e.count ELSE 0 END) AS rejoined, 0 AS lapsed"
    " FROM units u JOIN entries e ON e.unit_id = u.id AND e.day > :after AND e.day <= :through"
    f" WHERE {in_range('u')} AND e.{COUNTING} GROUP BY u.id, e.program, e.day"
    " UNION ALL SELECT u.id, r.program, r.day, 0, count(*), 0 FROM units u"
    " JOIN renewals r ON r.unit_id = u.id AND r.day > :after AND r.day <= :through"
    f" WHERE {in_range('u')} AND r.kind = 'rejoin' GROUP BY u.id, r.program, r.day"
)

# Lapses per unit, program and paid-until day in (:after, :below): paid-until dates of
# participants who did not renew, and rejoin renewals' missed dates. The subtree as in
# JOINING.
LAPSING = (
    "SELECT u.id AS unit_id, p.program AS program, p.paid_until AS day, 0 AS new,"
    " 0 AS rejoined, count(*) AS lapsed FROM units u JOIN participant_terms p"
    " ON p.unit_id = u.id AND p.paid_until > :after AND p.paid_until < :below"
    f" WHERE {in_range('u')} GROUP BY u.id, p.program, p.paid_until"
    " UNION ALL SELECT u.id, r.program, r.due_was, 0, 0, count(*) FROM units u"
    " JOIN renewals r ON r.unit_id = u.id AND r.due_was > :after AND r.due_was < :below"
    f" WHERE {in_range('u')} AND r.kind = 'rejoin' GROUP BY u.id, r.program, r.due_was"
)


# The same figures of a period from kept sums, per program: what was logged in the
# period (unit_period_totals, kept while the period is materialised); less its entries
# dated after `:through`, read only in the units whose kept total holds an entry logged
# after `:through` ended (`:ends`, `last_at`); the rejoining
# participants among entries and renewals of its days (unit_day_rejoins); then whether
# the period is materialised. An entry is never dated after the day it is logged
# (commands refuse future days), so a unit whose last entry was logged by `:ends` has
# none dated after `:through`: a country's report reads the entries of the few units
# that logged late, not every entry of the period. The scope's lineage range comes as
# values (`_lineage_range`), so that PostgreSQL hashes a country's totals rather than
# probing them unit by unit; a scope that holds every unit reads the kept rows without
# the units at all (`whole`: half the time of a country's statement).
def _kept_joining(whole: bool) -> str:
    def rows(table: str, alias: str, condition: str) -> str:
        if whole:
            return f" FROM {table} {alias} WHERE {condition}"
        return (
            f" FROM units u JOIN {table} {alias} ON {alias}.unit_id = u.id AND {condition}"
            f" WHERE {in_range('u')}"
        )

    # A part scope's kept rows of the period are found through its units once, for the
    # total and the late units alike (a province lead's /donvi at 10M: 18.6 -> 13.2 ms
    # median). A country's are read directly, twice, as before: keeping its 6,800 rows
    # aside gained nothing measured back to back, and the late units are an index range
    # on PostgreSQL (postgres/0147).
    if whole:
        kept, period_rows, of_period = "", "unit_period_totals t", ["t.period_key = :period"]
    else:
        scope_rows = rows("unit_period_totals", "t", "t.period_key = :period")
        columns = "t.unit_id, t.program, t.achieved, t.last_at"
        kept = f"WITH kept AS MATERIALIZED (SELECT {columns}{scope_rows}) "
        period_rows, of_period = "kept t", []
    logged_where = "".join(f" WHERE {condition}" for condition in of_period)
    late_where = " AND ".join([*of_period, "t.last_at >= :ends", ":through < :last"])
    # Read without the units only on the guess that the scope holds them all: the same
    # snapshot says whether it does (the first and the last lineage, two index reads),
    # and the caller reads again as a part when it does not.
    whole_check = _WHOLE_CHECK if whole else ""
    return (
        f"{kept}SELECT 'logged', t.program, sum(t.achieved), 0 FROM {period_rows}"
        f"{logged_where} GROUP BY t.program"
        f" UNION ALL SELECT 'later', e.program, sum(e.count), 0 FROM {period_rows}"
        " JOIN entries e ON e.unit_id = t.unit_id AND e.day > :through AND e.day <= :last"
        f" AND e.program = t.program AND e.{COUNTING}"
        f" WHERE {late_where} GROUP BY e.program"
        " UNION ALL SELECT 'rejoined', r.program, sum(r.entries), sum(r.renewals)"
        f"{rows('unit_day_rejoins', 'r', 'r.day > :after AND r.day <= :through')}"
        " GROUP BY r.program"
        " UNION ALL SELECT 'kept', NULL, count(*), 0 FROM target_periods"
        f" WHERE period_key = :period{whole_check}"
    )


_WHOLE_CHECK = (
    " UNION ALL SELECT 'whole', NULL, CASE WHEN (SELECT min(lineage) FROM units) >= :low"
    " AND (SELECT max(lineage) FROM units) < :high THEN 1 ELSE 0 END, 0"
)

_KEPT_JOINING = {whole: _kept_joining(whole) for whole in (False, True)}


def _start_of(day: date) -> str:
    """The instant `day` starts in Vietnam, as entries store instants (UTC, ISO)."""
    return datetime.combine(day, time(0), tzinfo=VIETNAM).astimezone(UTC).isoformat()


class EnrolmentStore(StoreBase):
    async def enrolments(
        self, unit_id: int, after: date, through: date
    ) -> dict[str, tuple[int, int]]:
        # count_events' joining events, added up by the database: a national report
        # brought 50,000 (unit, program, day) rows into Python to add them up.
        if through <= after:  # no day to count (PostgreSQL would scan for none)
            return {}
        low, high = await self._lineage_range(unit_id)
        rows = await self._all(
            f"SELECT program, sum(new), sum(rejoined) FROM ({JOINING}) AS events GROUP BY program",
            {"low": low, "high": high, "after": after.isoformat(), "through": through.isoformat()},
        )
        return {program: (int(new), int(rejoined)) for program, new, rejoined in rows}

    async def kept_enrolments(
        self, unit_id: int, after: date, through: date
    ) -> dict[str, tuple[int, int]]:
        """`enrolments`, month by month: a run from a month's first day is read from that
        month's kept sums (`period_enrolments`), so rolling a country's count forward
        from an official figure at a month's end reads a row per unit, not the entries of
        every day since (0.8M rows at 10M entries)."""
        figures: dict[str, tuple[int, int]] = {}
        start = after + timedelta(days=1)
        while start <= through:
            month = period_containing(PeriodKind.MONTH, start)
            end = min(through, month.last)
            part = (
                await self.period_enrolments(unit_id, month, end)
                if start == month.first
                else await self.enrolments(unit_id, start - timedelta(days=1), end)
            )
            for program, (new, rejoined) in part.items():
                before = figures.get(program, (0, 0))
                figures[program] = (before[0] + new, before[1] + rejoined)
            start = end + timedelta(days=1)
        return {program: pair for program, pair in figures.items() if pair != (0, 0)}

    async def lapses(
        self, unit_id: int, after: date, through: date, lapsed_before: date
    ) -> dict[str, int]:
        # count_events' lapses, added up by the database.
        below = min(through + timedelta(days=1), lapsed_before)
        if below <= after + timedelta(days=1):  # no day lies between: nothing to read
            return {}
        low, high = await self._lineage_range(unit_id)
        rows = await self._all(
            f"SELECT program, sum(lapsed) FROM ({LAPSING}) AS events GROUP BY program",
            {"low": low, "high": high, "after": after.isoformat(), "below": below.isoformat()},
        )
        return {program: int(lapsed) for program, lapsed in rows if lapsed}

    async def period_enrolments(
        self, unit_id: int, period: Period, as_of: date
    ) -> dict[str, tuple[int, int]]:
        """`enrolments` over the days of `period` through `as_of`, from kept sums.

        The kept total covers the whole period; what was logged after `as_of` is taken
        off it unit by unit (`_KEPT_JOINING`). When the period is not materialised, the
        entries are added up as `enrolments` does."""
        after = period.first - timedelta(days=1)
        through = min(as_of, period.last)
        low, high = await self._lineage_range(unit_id)
        params = {"low": low, "high": high, "period": period.key}
        params |= {"last": period.last.isoformat(), "after": after.isoformat()}
        params |= {"through": through.isoformat()}
        params |= {"ends": _start_of(through + timedelta(days=1))}
        # A root is guessed to hold every unit (a country, a province on its own
        # database) until its statement says otherwise: no round trip to ask first.
        parts: set[int] = vars(self).setdefault("_part_scopes", set())
        whole = low.count("/") == 2 and unit_id not in parts
        rows = await self._all(_KEPT_JOINING[whole], params)
        if whole and not [row for row in rows if row[0] == "whole" and row[2]]:
            parts.add(unit_id)  # units are never deleted: it stays a part
            rows = await self._all(_KEPT_JOINING[False], params)
        [kept] = [row[2] for row in rows if row[0] == "kept"]
        if not kept:
            return await self.enrolments(unit_id, after, through)
        logged: dict[str, int] = defaultdict(int)
        for kind, program, total, _ in rows:
            if kind in ("logged", "later"):
                logged[program] += int(total) if kind == "logged" else -int(total)
        rejoined = {row[1]: (int(row[2]), int(row[3])) for row in rows if row[0] == "rejoined"}
        figures = {}
        for program in logged.keys() | rejoined.keys():
            total = logged.get(program, 0)
            entries, renewals = rejoined.get(program, (0, 0))
            if total or entries or renewals:
                figures[program] = (total - entries, entries + renewals)
        return figures
