"""`/sangkien <phone> <nội dung>` (`/initiative`): a lead records a member's initiative.

With an excellent level it puts the member on course for Chiến sĩ thi đua cơ sở.
"""

from __future__ import annotations

from commands.audit import managed_member
from commands.context import Reply, Request
from tracker.errors import UserError
from tracker.models import Member


async def initiative(request: Request, args: list[str], member: Member) -> Reply:
    """Record (or replace) the initiative of a member in the lead's scope for this year."""
    words, note = request.raw_args.split(maxsplit=1), request.free_text(1)
    if not words or not note:
        raise UserError("initiative.usage")
    target = await managed_member(request, member, words[0])
    year = request.today.year
    await request.repo.record_initiative(target.id, year, note, member.id, request.now)
    return Reply(request.t("initiative.done", name=target.name, year=str(year)))
