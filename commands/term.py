"""`/kyhan <số bản ghi> <tháng>` (`/term`): the payment term of one's own entry of today.

What the term buttons under a logged participant send; longer terms weigh more in the
year-end emulation score.
"""

from __future__ import annotations

from commands.context import Reply, Request
from commands.grammar import parse_id
from commands.render import program_label
from tracker.errors import UserError
from tracker.models import Member
from tracker.participants import check_program_term, check_term

TERM_BUTTONS = (1, 3, 6, 12)


async def term(request: Request, args: list[str], member: Member) -> Reply:
    """Record how many months the participant of the caller's entry paid for."""
    if len(args) != 2:
        raise UserError("term.usage")
    entry_id = parse_id(args[0], "term.usage")
    months = check_term(args[1])
    allowing = [p.code for p in request.rules.programs if months in p.payment_terms]
    entry = await request.repo.set_own_entry_term(
        entry_id, member.id, months, request.today, allowing
    )
    if entry is None:
        raise UserError("term.not_found", id=args[0])
    program = request.rules.program(entry.program)
    if program is not None:  # an entry of a program that does not take this term: unchanged
        check_program_term(program, months, request.t.language)
    named = program_label(request.t, request.rules, entry.program)
    return Reply(request.t("term.done", n=months, id=str(entry.id), program=named))
