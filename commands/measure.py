"""Fetch what progress needs from storage and hand it to the pure maths."""

from __future__ import annotations

from datetime import date

from storage.repository import MemberPeriod, Repository
from tracker.models import Member, Program
from tracker.periods import Period
from tracker.progress import Progress, measure
from tracker.quotas import target_for


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
