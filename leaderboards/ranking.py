"""Rank people or units by completion, and cut the board down to what a chat can show.

Order (product contract): completion % desc, then achieved desc, then who reached
that count first. Those three are the *rank keys*: rows whose three keys are all equal
share a rank and the next rank skips (1, 2, 2, 4). The name only settles the display
order inside a shared rank, so it never decides who is ahead of whom.

Completion is the floored percent people see, in hundredths (`completion_hundredths`):
two people shown at 99,50% are tied on completion, as they look.

Who feeds what (the callers' side of the contract):
- A person board lists the members *currently* in the unit subtree, each with all of
  their counting entries of the period: the same numbers `/tiendo` shows them.
- A unit board credits each entry to the unit the member was in *when it was logged*
  (`entries.unit_id`), so a member's old entries stay with the old unit after a move.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from operator import attrgetter

from tracker.percent import Percent, completion_hundredths


@dataclass(frozen=True, slots=True)
class Standing:
    """One line of a board: a member or a unit, for one period and program (or all)."""

    key: int
    """The member id or the unit id."""
    name: str
    achieved: int
    target: int | None
    completion: int | None
    """Floored completion in hundredths of a percent; None when there is no target (or
    a target of 0)."""
    reached_at: datetime | None
    """When `achieved` was reached: the created_at of the latest counting entry in the
    period (None when nothing counts yet). Time zone aware."""

    @classmethod
    def of(
        cls, key: int, name: str, achieved: int, target: int | None, reached_at: datetime | None
    ) -> Standing:
        """A standing with its completion worked out the way progress does it."""
        return cls(key, name, achieved, target, completion_hundredths(achieved, target), reached_at)

    @property
    def percent(self) -> Percent | None:
        """The completion as a message shows it."""
        return None if self.completion is None else Percent(self.completion)


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int
    standing: Standing


@dataclass(frozen=True, slots=True)
class Gap:
    """Rows left out of a window between the top and the caller's neighbourhood."""

    hidden: int


@dataclass(frozen=True)
class Leaderboard:
    order: list[Standing]
    """Those with a target, best first."""
    ranks: list[int]
    """`ranks[i]` is the rank of `order[i]`."""
    unranked: list[Standing]
    """Those without a target, listed apart: most achieved first, then by name."""

    @cached_property
    def ranked(self) -> list[RankedRow]:
        # Rows are made on demand: a chat shows some fifteen of thousands.
        return [RankedRow(*pair) for pair in zip(self.ranks, self.order, strict=True)]

    def position_of(self, key: int) -> int | None:
        """Where member or unit `key` stands in `order` (None: not ranked)."""
        return next((index for index, s in enumerate(self.order) if s.key == key), None)

    def line_of(self, key: int) -> RankedRow | Standing | None:
        """The line of member or unit `key`, ranked or not: the caller's own line."""
        position = self.position_of(key)
        if position is not None:
            return RankedRow(self.ranks[position], self.order[position])
        return next((standing for standing in self.unranked if standing.key == key), None)


_REACHED = attrgetter("reached_at")
_ACHIEVED = attrgetter("achieved")
_COMPLETION = attrgetter("completion")
_KEY = attrgetter("key")


def vietnamese_order(name: str) -> str:
    """A sort key close to Vietnamese alphabetical order: accents after the bare letter
    (so Ê follows E, Ư follows U) and Đ right after D, not after Z."""
    return unicodedata.normalize("NFD", name.replace("Đ", "D\u0335").replace("đ", "d\u0335"))


name_order = lru_cache(maxsize=65_536)(vietnamese_order)
"""`vietnamese_order`, cached: the same staff names come back on every board. A bulk
pass over every member (storage.board_cache) calls `vietnamese_order` itself: a
country's 60,000 names and keys kept here were about 17 MB of the bot (issue 15)."""


def _by_name(order: list[Standing], start: int, end: int) -> None:
    if end - start > 1:
        tied = sorted(order[start:end], key=_KEY)
        tied.sort(key=lambda s: name_order(s.name))
        order[start:end] = tied


def rank(standings: Iterable[Standing]) -> Leaderboard:
    """Rank those with a target (shared ranks on equal keys); list the others apart."""
    everyone = list(standings)
    with_target = [s for s in everyone if s.completion is not None]
    without_target = sorted(
        (s for s in everyone if s.completion is None),
        key=lambda s: (-s.achieved, name_order(s.name), s.key),
    )
    # Stable sorts, least significant key first, with C-level keys: the per-row cost
    # stays tiny for thousands of rows. Not reached yet (None) goes after everyone.
    order = sorted((s for s in with_target if s.reached_at is not None), key=_REACHED)
    order += [s for s in with_target if s.reached_at is None]
    order.sort(key=_ACHIEVED, reverse=True)
    order.sort(key=_COMPLETION, reverse=True)

    ranks: list[int] = []
    first = 0  # where the run of equal rank keys that `standing` belongs to starts
    run_keys = rank_keys(order[0]) if order else None
    for index, standing in enumerate(order):
        keys = rank_keys(standing)
        if keys != run_keys:
            _by_name(order, first, index)  # a shared rank lists its people by name
            first, run_keys = index, keys
        ranks.append(first + 1)
    _by_name(order, first, len(order))
    return Leaderboard(order, ranks, without_target)


def window(
    board: Leaderboard, member_key: int, top: int = 10, around: int = 2
) -> list[RankedRow | Gap]:
    """The first `top` rows; when the member is ranked below them, a Gap, then the
    member with `around` rows either side (merged into the top when they touch it).

    "Top 10" counts rows, not ranks, so a long tie cannot flood the chat. A member
    without a target is not ranked: show their line from `board.unranked`.
    """
    return window_rows(
        lambda i: RankedRow(board.ranks[i], board.order[i]),
        len(board.order),
        board.position_of(member_key),
        top,
        around,
    )


def window_rows(
    row_at: Callable[[int], RankedRow],
    length: int,
    position: int | None,
    top: int = 10,
    around: int = 2,
) -> list[RankedRow | Gap]:
    """`window` over any board: `row_at(i)` is the row at position i of a board of
    `length` rows, `position` the member's (None: not ranked). Only the positions
    shown are asked for, so a board ranked elsewhere (in SQL) needs only those rows."""
    shown: list[RankedRow | Gap] = [row_at(i) for i in range(min(top, length))]
    if position is None or position < top:
        return shown
    start = max(top, position - around)
    if start > top:
        shown.append(Gap(start - top))
    shown.extend(row_at(i) for i in range(start, min(position + around + 1, length)))
    return shown


def rank_keys(standing: Standing) -> tuple[int | None, int, datetime | None]:
    """What decides a rank: equal keys, equal rank (the name only orders a tie)."""
    return standing.completion, standing.achieved, standing.reached_at


def ranked_run(first_rank: int, first_position: int, run: Iterable[Standing]) -> list[RankedRow]:
    """Consecutive rows of a board's order from `first_position` (0-based), ranked as
    `rank` ranks them: a row tied with the row before shares its rank, any other row
    is ranked at its own position. `first_rank`: the rank of the first row."""
    ranked: list[RankedRow] = []
    for offset, standing in enumerate(run):
        if ranked and rank_keys(standing) == rank_keys(ranked[-1].standing):
            ranked.append(RankedRow(ranked[-1].rank, standing))
        else:
            ranked.append(
                RankedRow(first_rank if not ranked else first_position + offset + 1, standing)
            )
    return ranked
