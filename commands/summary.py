"""`/tonghop [kỳ]` (`/summary`): a lead posts the unit's summary to its team group now."""

from __future__ import annotations

from commands.context import GroupPost, Reply, Request
from commands.grammar import parse_period_words
from commands.render import period_label
from scheduling.gather import build_summary
from scheduling.outbox import Outcome
from scheduling.runner import active_runner
from tracker.errors import UserError
from tracker.models import Member


async def post_summary(request: Request, args: list[str], member: Member) -> Reply:
    """The period so far (default: this month), with its chart, in the unit's group."""
    period = parse_period_words(args, request.today)
    t, unit = request.t, await request.repo.unit(member.unit_id)
    if unit.group_chat_id is None and await request.repo.zalo_group(unit.id) is None:
        raise UserError("summary.no_group", unit=unit.name)
    so_far = request.today <= period.last
    runner = active_runner()
    if runner is None:  # no scheduler in this process (the console): show the text post
        text, _ = await build_summary(
            request.repo, request.rules, unit, period, request.today, so_far=so_far
        )
        posted = t("summary.posted", period=period_label(t, period), unit=unit.name)
        return Reply(posted, group_posts=[GroupPost(unit.id, text)])
    key = request.source_key or request.now.isoformat()
    result = await runner.post_now(unit, period, key)
    messages = {Outcome.SENT: "summary.posted", Outcome.SKIPPED: "summary.skipped"}
    return Reply(
        t(
            messages.get(result.outcome, "summary.failed"),
            period=period_label(t, period),
            unit=unit.name,
        )
    )
