"""Fetch what progress needs from storage and hand it to the pure maths."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date

from storage.repository import Repository
from tracker.models import Member, Program, TargetKind
from tracker.periods import Period
from tracker.progress import Progress, measure
from tracker.quotas import QuotaBook, target_for


async def member_progress(
    repo: Repository,
    member: Member,
    period: Period,
    programs: tuple[Program, ...],
    today: date,
    books: Mapping[str, QuotaBook] | None = None,
) -> list[tuple[Program, Progress]]:
    """One Progress per program for `member` over `period`, as of `today`.

    `books`: the member's quota books when the caller already has them.
    """
    known: Mapping[str, QuotaBook]
    if books is None:
        achieved, known = await asyncio.gather(
            repo.period_achieved(member.id, period.key),
            repo.quota_books(TargetKind.MEMBER, member.id),
        )
    else:
        achieved, known = await repo.period_achieved(member.id, period.key), books
    return [
        (
            program,
            measure(
                period,
                achieved.get(program.code, 0),
                target_for(period, known.get(program.code, {})),
                today,
            ),
        )
        for program in programs
    ]
