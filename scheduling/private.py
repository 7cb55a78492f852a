"""Scheduled messages for one person, on the channel they use (commands.notices).

Friday's reminder, Monday's due reminder and the summary a lead reads privately go
through the same channel senders as every other notice, in the same order: the channel
the member wrote from last, then the others, SMS last. The runner's exactly-once rules
hold because a sender answers with an `Outcome`: only a refusal for good (`FAILED`: the
bot is blocked, the account unlinked) moves on to the next channel; a message not handed
over (`RETRY`) is tried again later on the same terms, and one that may have been shown
(`UNKNOWN`) is never sent again anywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from commands.context import Services
from commands.notices import NoticeSender, Outcome, Result
from tracker.models import Member

Compose = Callable[[NoticeSender], Awaitable[Result | None]]
"""Words and sends the message for one sender; None when there is nothing to say any
more (the member caught up meanwhile)."""


async def reachable(services: Services, member: Member) -> bool:
    """Whether any channel running now can reach `member` privately."""
    for _channel, sender in services.notifier.senders_for(None):
        if await sender.reaches(member):
            return True
    return False


async def send_privately(
    services: Services, member: Member, compose: Compose, nothing_to_say: str
) -> Result:
    """One message to `member`, on the first channel that takes it (see the module doc)."""
    last = await services.repo.last_channel(member.id)
    refused: Result | None = None
    for _channel, sender in services.notifier.senders_for(last):
        if not await sender.reaches(member):
            continue
        result = await compose(sender)
        if result is None:
            return Result(Outcome.SKIPPED, detail=nothing_to_say)
        if result.outcome is not Outcome.FAILED:
            return result
        refused = result
    return refused or Result(Outcome.SKIPPED, detail="no channel reaches them")
