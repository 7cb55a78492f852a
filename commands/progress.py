"""`/tiendo [kỳ]` (`/progress`): your progress per program, with pace and projection.

A lead sees their unit first, measured as their parent sees it (its plan, else its
members' targets added up), then their own quota if they have one.
"""

from __future__ import annotations

from commands.boards import unit_total
from commands.context import Reply, Request
from commands.grammar import parse_period_words
from commands.measure import enclosing_line, progress_of
from commands.participant_report import participant_report, report_lines
from commands.render import (
    pace_text,
    period_label,
    program_name,
    progress_line,
    unit_total_line,
)
from tracker.models import Member
from tracker.periods import Period
from tracker.progress import measure


async def progress(request: Request, args: list[str], member: Member) -> Reply:
    """Show achieved/target, %, pace and projection for each program over the period."""
    period = parse_period_words(args, request.today)
    t = request.t
    lines = [t("progress.title", period=period_label(t, period))]
    standing = await request.repo.member_period(member.id, period.key)
    measured = progress_of(period, request.rules.programs, standing, request.today)
    own_quota = any(p.target is not None for _, p in measured) or any(standing.books.values())
    if member.is_lead:
        lines += await _unit_lines(request, member, period)
        if not t.plain:  # one SMS has room for the unit's lines only
            lines += await _participant_lines(request, member, period)
        if own_quota:
            lines.append(t("plans.own_quota"))
    if own_quota or not member.is_lead:
        for program, progress_ in measured:
            instead = await enclosing_line(
                request.repo, t, member.id, program, progress_, standing.books.get(program.code, {})
            )
            lines.append(instead or progress_line(t, program, progress_))
            if progress_.target is not None and not progress_.closed:
                lines.append(
                    t(
                        "progress.detail",
                        expected=progress_.expected,
                        projection=progress_.projection,
                    )
                )
    return Reply("\n".join(lines))


async def _unit_lines(request: Request, member: Member, period: Period) -> list[str]:
    """The lead's unit, program by program: against its plan or its members' targets."""
    t = request.t
    unit = await request.repo.unit(member.unit_id)
    lines = [t("plans.unit_title", unit=unit.name)]
    for program in request.rules.programs:
        total = await unit_total(request.repo, unit, period, (program.code,))
        progress_ = measure(period, total.achieved, total.target.target, request.today)
        pace = pace_text(t, progress_) if progress_.target is not None else None
        lines.append(unit_total_line(t, program_name(t, program), total, pace=pace))
        if progress_.target is not None and not progress_.closed and not t.plain:
            lines.append(
                t("progress.detail", expected=progress_.expected, projection=progress_.projection)
            )
    return lines


async def _participant_lines(request: Request, member: Member, period: Period) -> list[str]:
    """The lead's unit's participants, as the lead reports them upwards."""
    unit = await request.repo.unit(member.unit_id)
    figures = await participant_report(
        request.repo, unit.id, period, request.today, request.rules.grace_days,
        request.rules.program_codes,
    )  # fmt: skip
    return report_lines(request.t, request.rules, unit, figures)
