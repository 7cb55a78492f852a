"""What `/bxh` and `/donvi` ask of storage: only the rows a chat shows, ranked in SQL.

A province board is 5,000 people; building and ranking them all in Python for the
fifteen lines a chat shows cost most of a request. Storage ranks them instead (in the
order of `leaderboards.ranking.rank`, which stays the reference) and returns the top,
the asker's neighbourhood, the totals and the head of the no-quota list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from leaderboards.ranking import Standing
from leaderboards.units import Credit
from tracker.models import Unit
from tracker.periods import Period


@dataclass(frozen=True)
class PeopleSlice:
    """Parts of a person board (see `leaderboards.ranking` for the order), consistent
    with each other: they come from one read."""

    ranked_count: int
    """How many people are ranked (have a target above 0)."""
    top: list[Standing]
    """The first rows of the order (up to the `top` asked for)."""
    run: list[Standing]
    """Consecutive rows of the order around the member: up to `around` before them, the
    member, up to `around` after. Empty when the member is not ranked."""
    run_start: int
    """The position (0-based) of `run[0]` in the order."""
    run_first_rank: int
    """The rank of `run[0]`."""
    member_position: int | None
    """The member's position in the order; None when they are not ranked."""
    unranked: list[Standing]
    """The head of the no-quota list: most achieved first, then by name."""
    member_unranked: Standing | None
    """The member's own line when they are listed apart (no target, but on the board)."""
    achieved_total: int
    target_total: int
    """Over everyone on the board, ranked or not (a missing target counts 0)."""


@dataclass(frozen=True)
class UnitBoardParts:
    """What a unit board is made of, for `leaderboards.ranking.aggregate_units`."""

    credits: list[Credit]
    """Per unit: the entries logged in it (of the programs asked), with the latest time."""
    unit_quotas: dict[int, int]
    """A unit's own target for the period, where a lead set a quota that covers it."""
    member_targets: list[tuple[int, int]]
    """(unit id, its current members' targets added up), for units where one has one."""


@dataclass(frozen=True)
class FoldedUnits:
    """A subtree folded for a unit board (storage/unit_board_sql.py): the scope, its
    children and the planned units below them, each other unit's parts added to its
    nearest kept ancestor. `leaderboards.units` gives the same board and scope total
    over it as over the whole subtree."""

    units: list[Unit]
    """The scope first; each kept unit's parent is its nearest kept ancestor."""
    parts: dict[str, UnitBoardParts]
    """By program."""


class BoardViewRepository(Protocol):
    async def people_slice(
        self,
        unit_id: int,
        period: Period,
        programs: tuple[str, ...],
        member_id: int,
        *,
        top: int,
        around: int,
        unranked: int,
    ) -> PeopleSlice: ...

    async def unit_board_parts(
        self, unit_id: int, period: Period, programs: tuple[str, ...]
    ) -> dict[str, UnitBoardParts]:
        """Each program's parts apart, keyed by program."""
        ...

    async def folded_units(
        self, unit_id: int, period: Period, programs: tuple[str, ...]
    ) -> FoldedUnits: ...

    async def ready_boards(self, period: Period, programs: tuple[str, ...]) -> bool:
        """Make `period`'s unit boards and its person board of `programs` now, if not
        made yet, so that nobody's first view of it waits (a country's new month is
        seconds of work). True if there was anything to make; no units: nothing."""
        ...
