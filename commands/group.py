"""`/nhom [tên đơn vị]` (`/setgroup`): a lead binds the team group it is typed in to a unit."""

from __future__ import annotations

from commands.context import Reply, Request
from tracker.errors import UserError
from tracker.models import Member
from tracker.text import fold


async def set_group(request: Request, args: list[str], member: Member) -> Reply:
    """Summaries and celebrations for the unit go to this group from now on."""
    if request.group_chat_id is None:
        raise UserError("group.only_in_group")
    subtree = await request.repo.subtree_units(member.unit_id)
    unit = subtree[0]
    if args:
        wanted = fold(" ".join(args))
        matches = [candidate for candidate in subtree if wanted in fold(candidate.name)]
        if not matches:
            raise UserError("boards.unknown_unit", given=" ".join(args))
        unit = matches[0]
    by = (member.id, request.now)
    if isinstance(request.group_chat_id, str):  # a Zalo group
        await request.repo.bind_zalo_group(unit.id, request.group_chat_id, by=by)
    else:
        await request.repo.bind_group(unit.id, request.group_chat_id, by=by)
    return Reply(request.t("group.bound", unit=unit.name))
