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
    phone, _, note = request.raw_args.partition(" ")
    if not phone or not note.strip():
        raise UserError("initiative.usage")
    target = await managed_member(request, member, phone)
    year = request.today.year
    await request.repo.record_initiative(target.id, year, note.strip(), member.id, request.now)
    return Reply(request.t("initiative.done", name=target.name, year=str(year)))
