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
from tracker.models import Role, TargetKind, Unit
from tracker.periods import Period
from tracker.quotas import QuotaBook, target_for


def parse_book(book: str | None) -> dict[str, dict[str, int]]:
    """`TN 2026 120,TN 2026-11 12` (as storage lists a member's quotas) -> program -> book."""
    books: dict[str, dict[str, int]] = defaultdict(dict)
    for item in (book or "").split(","):
        if item:
            program, period_key, value = item.split(" ")
            books[program][period_key] = int(value)
    return books


@lru_cache(maxsize=65_536)
def book_target(period: Period, programs: tuple[str, ...], book: str | None) -> int | None:
    # Thousands of people share a handful of quota books: derive each target once.
    return combined_target(period, parse_book(book), programs)


def combined_target(
    period: Period, books: Mapping[str, QuotaBook], programs: Iterable[str]
) -> int | None:
    """The target of one program, or of several added up; None when none has one."""
    targets = [target_for(period, books.get(code, {})) for code in programs]
    known = [target for target in targets if target is not None]
    return sum(known) if known else None


LEAD_ROLES = (Role.LEAD.value, Role.ADMIN.value)


@dataclass(frozen=True)
class PeopleBoard:
    board: Leaderboard
    achieved_total: int
    target_total: int


async def people_board(
    repo: Repository, scope: Unit, period: Period, programs: tuple[str, ...]
) -> PeopleBoard:
    """Everyone now in `scope`'s subtree, ranked for `period` over `programs`."""
    people = await repo.people_in_period(scope.id, period.key, programs)
    standings = [
        Standing.of(
            person.member_id,
            person.name,
            person.achieved,
            book_target(period, programs, person.book),
            None if person.last_at is None else datetime.fromisoformat(person.last_at),
        )
        for person in people
        # leads without a quota of their own lead; they are not ranked
        if person.book is not None or person.role not in LEAD_ROLES
    ]
    return PeopleBoard(
        rank(standings),
        sum(s.achieved for s in standings),
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
    people = await repo.people_in_period(scope.id, period.key, programs)
    member_targets = [
        (person.unit_id, target)
        for person in people
        if (target := book_target(period, programs, person.book)) is not None
    ]
    return rank(aggregate_units(scope.id, units, credits, unit_quotas, member_targets))
