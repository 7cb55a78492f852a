"""`/tiendo [kỳ]` (`/progress`): your progress per program, with pace and projection."""

from __future__ import annotations

from commands.context import Reply, Request
from commands.grammar import parse_period_words
from commands.measure import member_progress
from commands.participant_report import participant_report, report_lines
from commands.render import period_label, progress_line
from tracker.models import Member


async def progress(request: Request, args: list[str], member: Member) -> Reply:
    """Show achieved/target, %, pace and projection for each program over the period."""
    period = parse_period_words(args, request.today)
    t = request.t
    lines = [t("progress.title", period=period_label(t, period))]
    for program, measured in await member_progress(
        request.repo, member, period, request.rules.programs, request.today
    ):
        lines.append(progress_line(t, program, measured))
        if measured.target is not None and request.today <= period.last:
            lines.append(
                t("progress.detail", expected=measured.expected, projection=measured.projection)
            )
    if member.is_lead:  # the unit's participants, as the lead reports them upwards
        unit = await request.repo.unit(member.unit_id)
        figures = await participant_report(
            request.repo, unit.id, period, request.today, request.rules.grace_days,
            request.rules.program_codes,
        )  # fmt: skip
        lines += report_lines(t, unit, figures)
    return Reply("\n".join(lines))
