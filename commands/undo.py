"""`/huy` (`/undo`): take back your own last entry, if you logged it today."""

from __future__ import annotations

from commands.context import Reply, Request
from tracker.errors import UserError
from tracker.models import Member


async def undo(request: Request, args: list[str], member: Member) -> Reply:
    """Void the caller's last entry of today; a repeated message undoes nothing more."""
    entry, _repeated = await request.repo.undo_last_entry(
        member.id, request.today, request.now, request.source_key
    )
    if entry is None:
        raise UserError("undo.nothing")
    return Reply(request.t("undo.done", n=entry.count, code=entry.program, day=entry.day))
