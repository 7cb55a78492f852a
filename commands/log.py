"""`/ghi TN 2 [dd/mm]` (`/log`): record an enrollment; without arguments, offer buttons."""

from __future__ import annotations

from commands.context import Button, DirectMessage, GroupPost, Reply, Request
from commands.grammar import check_day, parse_count, parse_day, parse_program, take_day_words
from commands.measure import enclosing_line, progress_of
from commands.render import period_label, program_name, progress_line
from commands.term import TERM_BUTTONS
from leaderboards.badges import crossed_monthly_quota
from locales import Translator
from storage.participants_repository import EarlierEntry, ParticipantKeyChanged
from storage.repository import MemberPeriod
from tracker.errors import UserError
from tracker.models import Entry, Member, NewEntry, Program
from tracker.participants import (
    ParticipantDetails,
    check_program_term,
    hashed,
    last3,
    split_details,
)
from tracker.periods import Period, PeriodKind, local_day, period_containing

QUICK_COUNTS = (1, 2, 3, 5, 10)
FILLER_WORDS = frozenset({"nguoi", "ng", "people", "person", "persons", "participants"})
"""Words people add after the count (`/ghi TN 2 người`) that change nothing."""


async def log(request: Request, args: list[str], member: Member) -> Reply:
    """Record `count` participants of `program` on today or a recent day."""
    details, args = split_details(args)  # `ma=… ky=12 moi`, anywhere after the command
    named_day, args = take_day_words(args, request.today)  # `hôm qua`, `thứ 2`
    args = [token for token in args if token not in FILLER_WORDS]  # `TN 2 người`
    words = [token for token in args if token.isalpha()]
    numbers = [token for token in args if token.isdigit()]
    days = [token for token in args if "/" in token]
    if len(words) > 1 or len(numbers) > 1 or len(days) + (named_day is not None) > 1:
        raise UserError("error.log_usage")
    if not words:
        return _ask_program(request)
    program = parse_program(words[0], request.rules)
    if not numbers:
        return _ask_count(request, program)
    count = parse_count(numbers[0], request.rules.max_entry_count)
    if details is not None:
        check_program_term(program, details.term_months, request.t.language)
    if details is not None and details.code is not None and count != 1:
        raise UserError("participants.code_needs_one")
    today = request.today
    day = parse_day(days[0], today, request.rules.backdate_days) if days else today
    if named_day is not None:
        day = check_day(named_day, today, request.rules.backdate_days)

    # The month is known before the write, so the write reads its totals back too.
    month = period_containing(PeriodKind.MONTH, day)
    entry, created, earlier, standing = await _store(
        request,
        NewEntry(
            member_id=member.id,
            unit_id=member.unit_id,
            program=program.code,
            day=day,
            count=count,
            channel=request.channel,
            created_at=request.now,
            source_key=request.source_key,
        ),
        details,
        month,
    )
    if entry.day not in month:  # a repeated message, first stored on another day
        month = period_containing(PeriodKind.MONTH, entry.day)
        standing = None
    if standing is None:
        standing = await request.repo.member_period(member.id, month.key)
    # A repeat answers as the first delivery did, even after midnight closed its month.
    as_of = today if created else min(today, local_day(entry.created_at))
    [(_, progress)] = progress_of(month, (program,), standing, as_of)
    t = request.t
    instead = await enclosing_line(
        request.repo, t, member.id, program, progress, standing.books.get(program.code, {})
    )
    reply = Reply(
        _done_lines(t, program, entry, details, earlier)
        + "\n"
        + t("log.running_total", period=period_label(t, month))
        + " "
        + (instead or progress_line(t, program, progress))
    )
    if created and earlier is not None and details is not None and details.code is not None:
        reply.direct_messages += await _duplicate_notices(
            request, member, program, entry, last3(details.code), earlier
        )
    counted = created and earlier is None  # a duplicate is stored, but it never counts
    if counted and entry.count == 1 and (details is None or details.term_months is None):
        _offer_terms(request, entry, reply)
    if counted and crossed_monthly_quota(
        progress.achieved - entry.count, progress.achieved, progress.target
    ):
        await _celebrate(request, member, program, month, reply)
    return reply


def _offer_terms(request: Request, entry: Entry, reply: Reply) -> None:
    """Buttons for the participant's payment term: details without typing them."""
    if request.t.plain:
        return  # an SMS has no buttons: `ky=12` on the line does it there
    program = request.rules.program(entry.program)
    allowed = program.payment_terms if program is not None else TERM_BUTTONS
    reply.text += "\n" + request.t("term.ask")
    reply.buttons.append(
        [
            Button(request.t("term.button", n=n), f"/kyhan {entry.id} {n}")
            for n in TERM_BUTTONS
            if n in allowed
        ]
    )


async def _store(
    request: Request, new: NewEntry, details: ParticipantDetails | None, month: Period
) -> tuple[Entry, bool, EarlierEntry | None, MemberPeriod | None]:
    """Write the entry; with details, hashed and checked for the same participant.

    Without details, the member's month comes back with the entry (one round trip).
    """
    if details is None:
        recorded = await request.repo.record_entry(new, month.key)
        return recorded.entry, recorded.created, None, recorded.standing
    participant = hashed(details, request.repo.participant_secret)
    try:
        logged = await request.repo.add_detailed_entry(new, participant)
    except ParticipantKeyChanged:
        raise UserError("participants.key_changed") from None
    return logged.entry, logged.created, logged.duplicate_of, None


def _done_lines(
    t: Translator,
    program: Program,
    entry: Entry,
    details: ParticipantDetails | None,
    earlier: EarlierEntry | None,
) -> str:
    if earlier is not None and details is not None and details.code is not None:
        return t(
            "participants.duplicate",
            program=program_name(t, program),
            last3=last3(details.code),
            year=str(entry.day.year),
            id=str(entry.id),
            first_id=str(earlier.id),
            first_day=earlier.day,
        )
    done = t("log.done", n=entry.count, program=program_name(t, program), day=entry.day)
    if details is None:
        return done
    parts = [t("participants.code", last3=last3(details.code))] if details.code else []
    if details.term_months is not None:
        parts.append(t("participants.term", n=details.term_months))
    if details.rejoin is not None:
        parts.append(t("participants.rejoin" if details.rejoin else "participants.new"))
    return done + "\n" + t("participants.details", details=" · ".join(parts))


async def _duplicate_notices(
    request: Request,
    member: Member,
    program: Program,
    entry: Entry,
    code_last3: str,
    earlier: EarlierEntry,
) -> list[DirectMessage]:
    """A notice to the leads of both loggers' units (each once, never to the logger)."""
    leads = {
        lead.id: lead
        for unit_id in dict.fromkeys((entry.unit_id, earlier.unit_id))
        for lead in await request.repo.leads_over(unit_id)
        if lead.id != member.id
    }
    params = {
        "program": program,  # named for each lead's channel
        "last3": code_last3,
        "year": str(entry.day.year),
        "name": member.name,
        "id": str(entry.id),
        "day": entry.day,
        "first_name": earlier.member_name,
        "first_id": str(earlier.id),
        "first_day": earlier.day,
    }
    notices = [
        DirectMessage(lead.id, "participants.duplicate_notice", params) for lead in leads.values()
    ]
    return notices


async def _celebrate(
    request: Request, member: Member, program: Program, month: Period, reply: Reply
) -> None:
    """Tell the team group once that `member` met this month's quota."""
    if await request.repo.claim_celebration(member.id, program.code, month.key, request.now):
        group = Translator()  # the group reads Vietnamese
        text = group(
            "celebrate.month",
            name=member.name,
            program=program_name(group, program),
            period=period_label(group, month),
        )
        reply.group_posts.append(GroupPost(member.unit_id, text))


def _ask_program(request: Request) -> Reply:
    buttons = [
        [Button(f"{program.code} · {program.name(request.t.language)}", f"/ghi {program.code}")]
        for program in request.rules.programs
    ]
    return Reply(request.t("log.ask_program"), buttons=buttons)


def _ask_count(request: Request, program: Program) -> Reply:
    row = [Button(str(count), f"/ghi {program.code} {count}") for count in QUICK_COUNTS]
    question = request.t("log.ask_count", program=program_name(request.t, program))
    return Reply(question, buttons=[row])
