"""`/bieudo [kỳ]` (`/chart`): pictures of the caller's unit: completion bars and the trend."""

from __future__ import annotations

import asyncio

from commands.context import Attachment, Reply, Request
from commands.grammar import parse_period_words
from commands.render import period_label
from commands.summary_data import progress_chart, unit_trend
from commands.total_standing import total_lines, total_standings
from tracker.models import Member


async def chart(request: Request, args: list[str], member: Member) -> Reply:
    """Progress bars (the caller's own highlighted) and the cumulative trend, as PNGs."""
    # Here, not at the top: the drawing stack loads at the first chart (leaderboards.charts).
    from leaderboards.charts import render_progress, render_trend

    period = parse_period_words(args, request.today)
    t, repo, today = request.t, request.repo, request.today
    unit = await repo.unit(member.unit_id)
    in_group = request.group_chat_id is not None
    bars = await progress_chart(
        repo, request.rules, t, unit, period, today, viewer=member.id, in_group=in_group
    )
    if bars is None:
        return Reply(t("chart.empty", period=period_label(t, period)))
    trend = await unit_trend(repo, request.rules, t, unit, period, today)
    # Drawn in worker threads: the event loop keeps serving other people meanwhile.
    progress_png, trend_png = await asyncio.gather(
        asyncio.to_thread(render_progress, bars), asyncio.to_thread(render_trend, trend)
    )
    # The charts measure new enrolments; a plan for participants in total is said beside.
    standings = await total_standings(
        repo, unit.id, period, today, request.rules.grace_days, request.rules.program_codes
    )
    caption = [t("chart.sent", period=period_label(t, period), unit=unit.name)]
    caption += total_lines(t, request.rules, standings, unit.id)
    return Reply(
        "\n".join(caption),
        attachments=[
            Attachment(t("sheet.progress_file", period=period.key), progress_png, is_image=True),
            Attachment(t("sheet.trend_file", period=period.key), trend_png, is_image=True),
        ],
    )
