"""Units against their plans for participants in total (issue 14), for every unit view.

A unit's plan may count new enrolments (kế hoạch phát triển mới: quotas, what boards
rank) or participants in total (kế hoạch tổng số người tham gia: measured against the
unit's count, rolled forward from the official figure). Views of a unit show the first
as their main line and, where the unit has a total plan, this one beside it, saying so.
The plan comes from `tracker.quotas.total_plan_for`, the count from `commands.counts`,
as the participants block of `/tiendo` and the export read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from commands.counts import scope_counts
from commands.render import period_label, program_name
from commands.side_by_side import side_by_side
from locales import Translator
from storage.repository import Repository
from tracker.models import Program
from tracker.participant_counts import UnitCount
from tracker.percent import Percent
from tracker.periods import Period
from tracker.quotas import QuotaBook, total_plan_for
from tracker.rules import Rules


@dataclass(frozen=True)
class TotalStanding:
    """One unit and program against its plan for participants in total."""

    unit_id: int
    program: str
    plan_period: Period
    """The plan's own period: a month shows its year's plan (`total_plan_for`)."""
    plan: int
    count: int | None
    """The unit's participants on `as_of`; None without an imported figure."""
    as_of: date


async def total_standings(
    repo: Repository,
    scope_id: int,
    period: Period,
    today: date,
    grace_days: int,
    programs: Iterable[str],
    units: Iterable[int] | None = None,
    books: Mapping[int, Mapping[str, QuotaBook]] | None = None,
) -> list[TotalStanding]:
    """The total plans of `units` (default: `scope_id` alone), all in `scope_id`'s
    subtree, for `period` and `programs`, each with the unit's count on the period's last
    day (today while it runs). No plan, no line; counts are read only when a plan exists.
    `books`: the plans of `units`, when the caller has read them (`total_plan_books_of`)."""
    wanted = [scope_id] if units is None else list(units)
    # The scope alone (every view but /donvi) is one primary-key lookup: /bxh stays fast.
    if books is None:
        books = (
            {scope_id: await repo.total_plan_books(scope_id)}
            if units is None
            else await repo.total_plan_books_of(wanted)
        )
    found = [
        (unit_id, code, planned)
        for unit_id in wanted
        for code in programs
        if (planned := total_plan_for(period, books.get(unit_id, {}).get(code, {}))) is not None
    ]
    if not found:
        return []
    as_of = min(today, period.last)
    counts = await _counts(repo, [unit_id for unit_id, _, _ in found], as_of, grace_days)
    standings = []
    for unit_id, code, (plan_period, plan) in found:
        count = counts.get((unit_id, code))
        standings.append(
            TotalStanding(
                unit_id, code, plan_period, plan, None if count is None else count.count, as_of
            )
        )
    return standings


async def _counts(
    repo: Repository, units: list[int], as_of: date, grace_days: int
) -> dict[tuple[int, str], UnitCount]:
    """The counts of `units` on `as_of`, each rolled forward on its own (`scope_counts`,
    side by side): `unit_counts` over the scope rolled forward every unit below it from
    the events of each day, 12 s for a country whose 3,775 units all had figures."""

    async def own(unit_id: int) -> dict[tuple[int, str], UnitCount]:
        figures = await repo.own_count_figures(unit_id)
        found = await scope_counts(repo, unit_id, as_of, grace_days, figures)
        return {(unit_id, program): count for program, count in found.items()}

    counts: dict[tuple[int, str], UnitCount] = {}
    for found in await side_by_side(*(own(unit_id) for unit_id in dict.fromkeys(units))):
        counts |= found
    return counts


def total_line(
    t: Translator, programs: Sequence[Program], standing: TotalStanding, *, row: bool = False
) -> str:
    """`Tổng số người tham gia BHXH tự nguyện: 1.104/1.200 (92,00%) · kế hoạch năm 2026`;
    `row`: indented under a unit's board row. Without a count, the plan and why."""
    key = "total_plans.row" if row else "total_plans.standing"
    named = next((p for p in programs if p.code == standing.program), None)
    program = standing.program if named is None else program_name(t, named)
    period = period_label(t, standing.plan_period)
    if standing.count is None:
        return t(f"{key}_no_count", program=program, plan=standing.plan, period=period)
    return t(
        key,
        program=program,
        count=standing.count,
        plan=standing.plan,
        percent=Percent.of(standing.count, standing.plan),
        period=period,
    )


def total_lines(
    t: Translator,
    rules: Rules,
    standings: Iterable[TotalStanding],
    unit_id: int,
    *,
    row: bool = False,
) -> list[str]:
    """The lines of one unit, in the order of `standings`; none in an SMS (no room)."""
    if t.plain:
        return []
    return [total_line(t, rules.programs, s, row=row) for s in standings if s.unit_id == unit_id]
