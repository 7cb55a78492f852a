"""Assemble leaderboards from storage: targets derived per person, then the pure ranking.

Shared by `/bxh`, `/donvi`, the summaries and the celebration check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from leaderboards.ranking import Credit, Leaderboard, Standing, aggregate_units, rank
from storage.repository import Repository
from tracker.models import Member, TargetKind, Unit
from tracker.periods import Period
from tracker.quotas import QuotaBook, target_for


@lru_cache(maxsize=65_536)
def _target(period: Period, book: tuple[tuple[str, int], ...]) -> int | None:
    # Thousands of people share a handful of quota books: derive each target once.
    return target_for(period, dict(book))


def combined_target(
    period: Period, books: Mapping[str, QuotaBook], programs: Iterable[str]
) -> int | None:
    """The target of one program, or of several added up; None when none has one."""
    targets = [_target(period, tuple(sorted(books.get(code, {}).items()))) for code in programs]
    known = [target for target in targets if target is not None]
    return sum(known) if known else None


@dataclass(frozen=True)
class PeopleBoard:
    board: Leaderboard
    members: dict[int, Member]
    achieved_total: int
    target_total: int


async def people_board(
    repo: Repository, scope: Unit, period: Period, programs: tuple[str, ...]
) -> PeopleBoard:
    """Everyone now in `scope`'s subtree, ranked for `period` over `programs`."""
    members = {member.id: member for member in await repo.subtree_members(scope.id)}
    achieved: dict[int, int] = defaultdict(int)
    reached: dict[int, datetime] = {}
    for total in await repo.member_totals(scope.id, period.key):
        if total.program in programs and total.key in members:
            achieved[total.key] += total.achieved
            if total.last_at is not None and total.achieved > 0:
                reached[total.key] = max(reached.get(total.key, total.last_at), total.last_at)
    books = await repo.subtree_quota_books(TargetKind.MEMBER, scope.id)
    standings = []
    for member in members.values():
        if member.is_lead and member.id not in books:
            continue  # leads without a quota of their own lead; they are not ranked
        target = combined_target(period, books.get(member.id, {}), programs)
        last = reached.get(member.id)
        standings.append(Standing.of(member.id, member.name, achieved[member.id], target, last))
    return PeopleBoard(
        rank(standings),
        members,
        sum(achieved.values()),
        sum(s.target or 0 for s in standings),
    )


async def unit_board(
    repo: Repository, scope: Unit, period: Period, programs: tuple[str, ...]
) -> Leaderboard:
    """The child units of `scope`, each with its whole subtree, ranked by completion."""
    units = await repo.subtree_units(scope.id)
    credits = [
        Credit(total.key, total.achieved, total.last_at)
        for total in await repo.unit_totals(scope.id, period.key)
        if total.program in programs and total.last_at is not None
    ]
    unit_books = await repo.subtree_quota_books(TargetKind.UNIT, scope.id)
    unit_quotas = {
        unit_id: target
        for unit_id, books in unit_books.items()
        if (target := combined_target(period, books, programs)) is not None
    }
    member_books = await repo.subtree_quota_books(TargetKind.MEMBER, scope.id)
    members = await repo.subtree_members(scope.id)
    member_targets = [
        (member.unit_id, target)
        for member in members
        if (target := combined_target(period, member_books.get(member.id, {}), programs))
        is not None
    ]
    return rank(aggregate_units(scope.id, units, credits, unit_quotas, member_targets))
