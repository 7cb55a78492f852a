"""Fetch what progress needs from storage and hand it to the pure maths."""

from __future__ import annotations

import asyncio
from datetime import date

from storage.repository import Repository
from tracker.models import Member, Program, TargetKind
from tracker.periods import Period
from tracker.progress import Progress, measure
from tracker.quotas import target_for


async def member_progress(
    repo: Repository, member: Member, period: Period, programs: tuple[Program, ...], today: date
) -> list[tuple[Program, Progress]]:
    """One Progress per program for `member` over `period`, as of `today`."""
    # Both queued at once: the database thread runs them back to back.
    achieved, books = await asyncio.gather(
        repo.achieved(member.id, period.first, period.last),
        repo.quota_books(TargetKind.MEMBER, member.id),
    )
    return [
        (
            program,
            measure(
                period,
                achieved.get(program.code, 0),
                target_for(period, books.get(program.code, {})),
                today,
            ),
        )
        for program in programs
    ]
