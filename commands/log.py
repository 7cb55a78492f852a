"""`/ghi TN 2 [dd/mm]` (`/log`): record an enrollment; without arguments, offer buttons."""

from __future__ import annotations

import asyncio

from commands.context import Button, GroupPost, Reply, Request
from commands.grammar import parse_count, parse_day, parse_program
from commands.measure import member_progress
from commands.render import period_label, progress_line
from leaderboards.badges import crossed_monthly_quota
from locales import Translator
from tracker.errors import UserError
from tracker.models import Member, NewEntry, TargetKind
from tracker.periods import Period, PeriodKind, period_containing

QUICK_COUNTS = (1, 2, 3, 5, 10)


async def log(request: Request, args: list[str], member: Member) -> Reply:
    """Record `count` participants of `program` on today or a recent day."""
    words = [token for token in args if token.isalpha()]
    numbers = [token for token in args if token.isdigit()]
    days = [token for token in args if "/" in token]
    if len(words) > 1 or len(numbers) > 1 or len(days) > 1:
        raise UserError("error.log_usage")
    if not words:
        return _ask_program(request)
    program = parse_program(words[0], request.rules)
    if not numbers:
        return _ask_count(request, program.code)
    count = parse_count(numbers[0], request.rules.max_entry_count)
    today = request.today
    day = parse_day(days[0], today, request.rules.backdate_days) if days else today

    # The quota books do not depend on the new entry: fetch them while it is written.
    (entry, created), books = await asyncio.gather(
        request.repo.add_entry(
            NewEntry(
                member_id=member.id,
                unit_id=member.unit_id,
                program=program.code,
                day=day,
                count=count,
                channel=request.channel,
                created_at=request.now,
                source_key=request.source_key,
            )
        ),
        request.repo.quota_books(TargetKind.MEMBER, member.id),
    )
    # A repeated message (same source key) finds the first entry: same reply, no new count.
    month = period_containing(PeriodKind.MONTH, entry.day)
    [(_, progress)] = await member_progress(request.repo, member, month, (program,), today, books)
    t = request.t
    reply = Reply(
        t("log.done", n=entry.count, code=entry.program, day=entry.day)
        + "\n"
        + t("log.running_total", period=period_label(t, month))
        + " "
        + progress_line(t, program, progress)
    )
    if created and crossed_monthly_quota(
        progress.achieved - entry.count, progress.achieved, progress.target
    ):
        await _celebrate(request, member, entry.program, month, reply)
    return reply


async def _celebrate(
    request: Request, member: Member, code: str, month: Period, reply: Reply
) -> None:
    """Tell the team group once that `member` met this month's quota."""
    if await request.repo.claim_celebration(member.id, code, month.key, request.now):
        group = Translator()  # the group reads Vietnamese
        text = group(
            "celebrate.month", name=member.name, code=code, period=period_label(group, month)
        )
        reply.group_posts.append(GroupPost(member.unit_id, text))


def _ask_program(request: Request) -> Reply:
    buttons = [
        [Button(f"{program.code} · {program.name(request.t.language)}", f"/ghi {program.code}")]
        for program in request.rules.programs
    ]
    return Reply(request.t("log.ask_program"), buttons=buttons)


def _ask_count(request: Request, code: str) -> Reply:
    row = [Button(str(count), f"/ghi {code} {count}") for count in QUICK_COUNTS]
    return Reply(request.t("log.ask_count", code=code), buttons=[row])
