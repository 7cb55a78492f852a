"""Assemble leaderboards from storage.

`people_board` builds a whole person board: targets derived per person, then the pure
ranking (summaries, exports, dossiers, badges need everyone). `/bxh` shows fifteen
lines of it, so `people_view` lets storage rank in SQL and fetches just those; the pure
ranking is the reference both must agree with (tests/test_board_sql.py). `unit_board`
ranks the child units of a scope for `/donvi` and the charts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from leaderboards.ranking import (
    Gap,
    Leaderboard,
    RankedRow,
    Standing,
    rank,
    ranked_run,
    window_rows,
)
from leaderboards.units import UnitTotal, combine_totals, scope_total, unit_rows
from storage.board_view_repository import FoldedUnits
from storage.repository import Repository
from tracker.models import Role, Unit
from tracker.periods import Period
from tracker.quotas import QuotaBook, UnitTarget, target_for


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


@dataclass(frozen=True)
class PeopleView:
    """What a chat shows of a person board, for one member."""

    window: list[RankedRow | Gap]
    """The top and, when the member is ranked below it, a gap and their neighbourhood."""
    top: list[RankedRow]
    ranked_count: int
    unranked: list[Standing]
    """The head of the no-quota list."""
    own: RankedRow | Standing | None
    """The member's own line, ranked or listed apart; None when not on the board."""
    achieved_total: int
    target_total: int


async def people_view(
    repo: Repository,
    scope: Unit,
    period: Period,
    programs: tuple[str, ...],
    member_id: int,
    *,
    top: int = 10,
    around: int = 2,
    unranked: int = 10,
) -> PeopleView:
    """`people_board` cut by `leaderboards.ranking.window`, ranked by storage: the same
    lines, without bringing a province's 5,000 people into Python."""
    part = await repo.people_slice(
        scope.id, period, programs, member_id, top=top, around=around, unranked=unranked
    )
    top_rows = ranked_run(1, 0, part.top)
    by_position = dict(enumerate(top_rows))
    run = ranked_run(part.run_first_rank, part.run_start, part.run)
    by_position.update(enumerate(run, start=part.run_start))
    own: RankedRow | Standing | None = part.member_unranked
    if part.member_position is not None:
        own = by_position[part.member_position]
    return PeopleView(
        window=window_rows(
            by_position.__getitem__, part.ranked_count, part.member_position, top, around
        ),
        top=top_rows,
        ranked_count=part.ranked_count,
        unranked=part.unranked,
        own=own,
        achieved_total=part.achieved_total,
        target_total=part.target_total,
    )


@dataclass(frozen=True)
class UnitBoard:
    """The child units of a scope ranked, and what each one's target is made of."""

    board: Leaderboard
    targets: dict[int, UnitTarget]
    """By unit id: its plan or its members' targets added up (`/donvi` says which)."""

    @property
    def ranked(self) -> list[RankedRow]:
        return self.board.ranked

    @property
    def unranked(self) -> list[Standing]:
        return self.board.unranked


async def unit_board(
    repo: Repository, scope: Unit, period: Period, programs: tuple[str, ...]
) -> UnitBoard:
    """The child units of `scope`, each with its whole subtree, ranked by completion.
    Each program is measured apart and then added up, as `unit_total` does: storage
    keeps per unit the entries logged in it, its own quota and its current members'
    targets already added up, folded onto the units the board shows (`unit_rows` adds
    the subtrees)."""
    return unit_board_of(await repo.folded_units(scope.id, period, programs), scope, programs)


def unit_board_of(folded: FoldedUnits, scope: Unit, programs: tuple[str, ...]) -> UnitBoard:
    rows = unit_rows(scope.id, folded.units, [folded.parts[code] for code in programs])
    return UnitBoard(
        rank(row.standing for row in rows), {row.standing.key: row.target for row in rows}
    )


async def unit_total(
    repo: Repository, unit: Unit, period: Period, programs: tuple[str, ...]
) -> UnitTotal:
    """`unit`'s own line, as its parent's `/donvi` sees it: entries logged in its subtree
    against its plan, else its members' targets; programs one by one, then added up (a
    plan for TN says nothing of YT)."""
    return unit_total_of(await repo.folded_units(unit.id, period, programs), unit, programs)


def unit_total_of(folded: FoldedUnits, unit: Unit, programs: tuple[str, ...]) -> UnitTotal:
    return combine_totals(
        scope_total(unit.id, folded.units, parts.credits, parts.unit_quotas, parts.member_targets)
        for parts in (folded.parts[program] for program in programs)
    )
