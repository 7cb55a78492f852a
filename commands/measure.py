"""Fetch what progress needs from storage and hand it to the pure maths."""

from __future__ import annotations

from datetime import date

from commands.render import program_name
from locales import Translator
from storage.repository import MemberPeriod, Repository
from tracker.models import Member, Program
from tracker.periods import Period
from tracker.progress import Progress, measure
from tracker.quotas import QuotaBook, enclosing_target, target_for


async def member_progress(
    repo: Repository,
    member: Member,
    period: Period,
    programs: tuple[Program, ...],
    today: date,
) -> list[tuple[Program, Progress]]:
    """One Progress per program for `member` over `period`, as of `today`."""
    standing = await repo.member_period(member.id, period.key)
    return progress_of(period, programs, standing, today)


def progress_of(
    period: Period, programs: tuple[Program, ...], standing: MemberPeriod, today: date
) -> list[tuple[Program, Progress]]:
    return [
        (
            program,
            measure(
                period,
                standing.achieved.get(program.code, 0),
                target_for(period, standing.books.get(program.code, {})),
                today,
            ),
        )
        for program in programs
    ]


async def enclosing_line(
    repo: Repository,
    t: Translator,
    member_id: int,
    program: Program,
    progress: Progress,
    book: QuotaBook,
) -> str | None:
    """For a period without a target of its own (a yearly plan of 3 is 0 a month), the
    line that shows the longer period's instead: `TN: 2 · chưa giao chỉ tiêu tháng ·
    cả năm 3: đã đạt 2`. None when no longer period has a target either."""
    found = enclosing_target(progress.period, book)
    if progress.target is not None or found is None:
        return None
    enclosing, target = found
    standing = await repo.member_period(member_id, enclosing.key)
    return t(
        "plans.enclosing",
        program=program_name(t, program),
        achieved=progress.achieved,
        period=t(f"plans.kind.{progress.period.kind.value}"),
        enclosing=t(f"plans.whole.{enclosing.kind.value}"),
        target=target,
        enclosing_achieved=standing.achieved.get(program.code, 0),
    )
