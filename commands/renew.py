"""`/giahan TN ma=… ky=6` (`/renew`; SMS `GH TN ma=… 6`): a known participant paid again.

A renewal extends the participant's paid-until date and counts as retention, never as
a new enrolment. The code must have been logged in the caller's unit subtree; the
same payment also found in collection records (`import-collections`) counts once.
"""

from __future__ import annotations

from commands.context import Reply, Request
from commands.grammar import parse_day, parse_program
from commands.render import program_name
from storage.renewals_repository import NewRenewal, RenewalOutcome, RenewalResult
from tracker.errors import UserError
from tracker.models import Member, Program
from tracker.participants import check_term, last3, participant_hash, split_details
from tracker.renewals import RenewalKind


async def renew(request: Request, args: list[str], member: Member) -> Reply:
    """Record that the participant with the given code paid `ky` more months."""
    details, rest = split_details(args)
    words = [token for token in rest if token.isalpha()]
    numbers = [token for token in rest if token.isdigit()]
    days = [token for token in rest if "/" in token]
    term = details.term_months if details is not None else None
    if term is None and len(numbers) == 1:  # SMS: `GH TN 0123456789 6`
        term, numbers = check_term(numbers[0]), []
    code = details.code if details is not None else None
    if len(words) != 1 or numbers or len(days) > 1 or code is None or term is None:
        raise UserError("renew.usage")
    program = parse_program(words[0], request.rules)
    today = request.today
    day = parse_day(days[0], today, request.rules.backdate_days) if days else today
    secret = request.repo.participant_secret
    if not secret:
        raise UserError("participants.no_secret")
    result = await request.repo.record_renewal(
        NewRenewal(
            participant_hash=participant_hash(code, secret),
            last3=last3(code),
            program=program.code,
            day=day,
            term_months=term,
            created_at=request.now,
            member_id=member.id,
            unit_id=member.unit_id,
            source_key=request.source_key,
        ),
        request.rules.grace_days,
    )
    return Reply(_answer(request, result, program, last3(code), term))


def _answer(
    request: Request, result: RenewalResult, program: Program, digits: str, term: int
) -> str:
    t = request.t
    named = program_name(t, program)
    if result.outcome is RenewalOutcome.UNKNOWN:  # with the code to type for a new one
        return t("renew.unknown", program=named, code=program.code, last3=digits)
    until = result.paid_until
    if result.outcome is RenewalOutcome.PAIRED:
        return t("renew.paired", program=named, last3=digits, until=until)
    if result.kind is RenewalKind.REJOIN:
        return t("renew.rejoin", program=named, last3=digits, due=result.due_was, until=until)
    if result.due_was is None:
        return t("renew.started", program=named, last3=digits, n=term, until=until)
    key = "renew.late" if result.kind is RenewalKind.LATE else "renew.done"
    return t(key, program=named, last3=digits, n=term, due=result.due_was, until=until)
