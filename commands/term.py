"""`/kyhan <số bản ghi> <tháng>` (`/term`): the payment term of one's own entry of today.

What the term buttons under a logged participant send; longer terms weigh more in the
year-end emulation score.
"""

from __future__ import annotations

from commands.context import Reply, Request
from commands.grammar import parse_id
from tracker.errors import UserError
from tracker.models import Member
from tracker.participants import check_term

TERM_BUTTONS = (1, 3, 6, 12)


async def term(request: Request, args: list[str], member: Member) -> Reply:
    """Record how many months the participant of the caller's entry paid for."""
    if len(args) != 2:
        raise UserError("term.usage")
    entry_id = parse_id(args[0], "term.usage")
    months = check_term(args[1])
    entry = await request.repo.set_own_entry_term(entry_id, member.id, months, request.today)
    if entry is None:
        raise UserError("term.not_found", id=args[0])
    return Reply(request.t("term.done", n=months, id=str(entry.id), code=entry.program))
