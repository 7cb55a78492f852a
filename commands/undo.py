"""`/huy` (`/undo`): take back your own last entry, if you logged it today and no lead
has confirmed it yet. The undo is in the audit log."""

from __future__ import annotations

from commands.context import Reply, Request
from commands.render import program_label
from tracker.errors import UserError
from tracker.models import EntryState, Member


async def undo(request: Request, args: list[str], member: Member) -> Reply:
    """Void the caller's last entry of today; a repeated message undoes nothing more."""
    entry, _repeated = await request.repo.undo_last_entry(
        member.id, request.today, request.now, request.source_key
    )
    if entry is None:
        raise UserError("undo.nothing")
    program = program_label(request.t, request.rules, entry.program)
    if entry.state is EntryState.CONFIRMED:  # the lead's decision; only a lead changes it
        raise UserError(
            "undo.confirmed", id=str(entry.id), program=program, n=entry.count, day=entry.day
        )
    return Reply(request.t("undo.done", n=entry.count, program=program, day=entry.day))
