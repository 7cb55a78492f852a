"""Units on a board: each child unit summing its subtree, and a unit's own total line.

A unit board credits each entry to the unit the member was in *when it was logged*
(`entries.unit_id`), so a member's old entries stay with the old unit after a move. A
unit's target is its own plan, else its members' targets added up
(`tracker.quotas.unit_target`): `unit_targets` applies that over a tree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from leaderboards.ranking import Standing
from tracker.models import Unit
from tracker.quotas import TargetSource, UnitTarget, unit_target


@dataclass(frozen=True, slots=True)
class Credit:
    """Participants credited to the unit an entry was logged in (its unit back then):
    one entry, or better all of a unit's entries of the period summed, with the latest
    created_at (one `GROUP BY unit_id` row instead of thousands of entries)."""

    unit_id: int
    count: int
    at: datetime
    """The entry's created_at: a unit reaches its count when its latest entry came in."""


def aggregate_units(
    scope_id: int,
    units: Iterable[Unit],
    credits: Iterable[Credit],
    unit_quotas: Mapping[int, int],
    member_targets: Iterable[tuple[int, int]],
) -> list[Standing]:
    """Standings of the child units of `scope_id`, each summing its whole subtree (see
    `_child_units`)."""
    return [
        standing
        for standing, _ in _child_units(scope_id, units, credits, unit_quotas, member_targets)
    ]


def _child_units(
    scope_id: int,
    units: Iterable[Unit],
    credits: Iterable[Credit],
    unit_quotas: Mapping[int, int],
    member_targets: Iterable[tuple[int, int]],
) -> list[tuple[Standing, UnitTarget]]:
    """Standings of the child units of `scope_id`, each summing its whole subtree.

    `units`: every unit under the scope (deeper ones too). `credits`: the counting
    entries of the period with the unit they were logged in; credits to units outside
    the children's subtrees (the scope itself, or a unit elsewhere) count for nobody
    here. `unit_quotas`: a unit's own target for the period, where a lead set one.
    `member_targets`: (member's current unit id, target) for every member with one.
    A unit's target is `unit_targets`': its own plan, else the sum of its sub-units'
    targets and of its direct members' targets; None when none of those exists.
    """
    unit_list = list(units)
    parent_of = {unit.id: unit.parent_id for unit in unit_list}
    top_units = [unit for unit in unit_list if unit.parent_id == scope_id]

    # unit id -> the ranked child whose subtree holds it (None: outside every one).
    ranked_unit_of: dict[int, int | None] = {top.id: top.id for top in top_units}
    ranked_unit_of[scope_id] = None

    def ranked_unit(unit_id: int) -> int | None:
        # Walk up to a known unit, then remember the answer for the whole path: each
        # unit is walked through once however many credits it has.
        path: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in ranked_unit_of:
            path.append(current)
            current = parent_of.get(current)
        found = None if current is None else ranked_unit_of[current]
        ranked_unit_of.update(dict.fromkeys(path, found))
        return found

    achieved: dict[int, int] = defaultdict(int)
    latest: dict[int, datetime] = {}
    for credit in credits:
        owner = ranked_unit(credit.unit_id)
        if owner is None:
            continue
        achieved[owner] += credit.count
        if owner not in latest or credit.at > latest[owner]:
            latest[owner] = credit.at

    targets = unit_targets(unit_list, unit_quotas, member_targets)
    return [
        (
            Standing.of(
                top.id, top.name, achieved[top.id], targets[top.id].target, latest.get(top.id)
            ),
            targets[top.id],
        )
        for top in top_units
    ]


class ProgramParts(Protocol):
    """One program's credits and targets over a scope, as storage keeps them
    (`storage.board_view_repository.UnitBoardParts`)."""

    @property
    def credits(self) -> Sequence[Credit]: ...
    @property
    def unit_quotas(self) -> Mapping[int, int]: ...
    @property
    def member_targets(self) -> Sequence[tuple[int, int]]: ...


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A child unit on `/donvi`: its standing and what its target is made of."""

    standing: Standing
    target: UnitTarget


def unit_rows(
    scope_id: int, units: Iterable[Unit], programs: Iterable[ProgramParts]
) -> list[UnitRow]:
    """The child units of `scope_id`, each program measured apart (the unit's plan for
    it, else its members' targets) and then added up (`combine_totals`), as the unit's
    own line (`scope_total`) is: a plan for TN says nothing of YT."""
    unit_list = list(units)
    per_program = [
        _child_units(scope_id, unit_list, p.credits, p.unit_quotas, p.member_targets)
        for p in programs
    ]
    rows = []
    for children in zip(*per_program, strict=True):
        first = children[0][0]
        times = [standing.reached_at for standing, _ in children if standing.reached_at]
        total = combine_totals(UnitTotal(part.achieved, target) for part, target in children)
        standing = Standing.of(
            first.key, first.name, total.achieved, total.target.target, max(times, default=None)
        )
        rows.append(UnitRow(standing, total.target))
    return rows


def unit_targets(
    units: Iterable[Unit],
    unit_quotas: Mapping[int, int],
    member_targets: Iterable[tuple[int, int]],
) -> dict[int, UnitTarget]:
    """Every unit's target (`tracker.quotas.unit_target`): its own plan, else its
    sub-units' targets and its direct members' added up. `unit_quotas`: a unit's plan
    for the period (`target_for` of its quotas); `member_targets`: (member's current
    unit, target)."""
    unit_list = list(units)
    children_of: dict[int, list[int]] = defaultdict(list)
    for unit in unit_list:
        if unit.parent_id is not None:
            children_of[unit.parent_id].append(unit.id)
    # Its direct members' targets added up; a unit with members has a sum (0 included).
    direct: dict[int, int] = {}
    for unit_id, target in member_targets:
        direct[unit_id] = direct.get(unit_id, 0) + target
    found: dict[int, UnitTarget] = {}

    def target_of(unit_id: int) -> UnitTarget:
        got = found.get(unit_id)
        if got is None:
            # None until a sub-unit with a target or a member comes: then their sum.
            total = direct.get(unit_id)
            for child in children_of.get(unit_id, ()):
                part = target_of(child).target
                if part is not None:
                    total = part if total is None else total + part
            got = found[unit_id] = unit_target(unit_quotas.get(unit_id), total)
        return got

    for unit in unit_list:
        target_of(unit.id)
    return found


@dataclass(frozen=True, slots=True)
class UnitTotal:
    """A unit's own line: everything logged in its subtree against its target."""

    achieved: int
    target: UnitTarget


def scope_total(
    scope_id: int,
    units: Iterable[Unit],
    credits: Iterable[Credit],
    unit_quotas: Mapping[int, int],
    member_targets: Iterable[tuple[int, int]],
) -> UnitTotal:
    """The scope unit itself, as its parent's board sees it: every credit of its subtree
    (the unit each entry was logged in) against `unit_targets`' target for it.
    `units`: the scope and every unit under it."""
    targets = unit_targets(units, unit_quotas, member_targets)
    return UnitTotal(sum(credit.count for credit in credits), targets[scope_id])


def subtree_totals(
    units: Iterable[Unit],
    credits: Iterable[Credit],
    unit_quotas: Mapping[int, int],
    member_targets: Iterable[tuple[int, int]],
) -> dict[int, UnitTotal]:
    """`scope_total` of every unit at once (an export's row per unit): each credit
    counts for its unit and every unit above it among `units`."""
    unit_list = list(units)
    parent_of = {unit.id: unit.parent_id for unit in unit_list}
    achieved: dict[int, int] = defaultdict(int)
    for credit in credits:
        current: int | None = credit.unit_id
        while current is not None and current in parent_of:
            achieved[current] += credit.count
            current = parent_of[current]
    targets = unit_targets(unit_list, unit_quotas, member_targets)
    return {unit.id: UnitTotal(achieved[unit.id], targets[unit.id]) for unit in unit_list}


def combine_totals(totals: Iterable[UnitTotal]) -> UnitTotal:
    """Several programs' totals of one unit added up: a plan wherever any program has
    one (the members' sums beside it), else the members' sums."""
    achieved = 0
    known: int | None = None
    members: int | None = None
    planned = False
    for part in totals:  # one pass: every unit row of a board comes here
        achieved += part.achieved
        target = part.target
        if target.target is not None:
            known = target.target if known is None else known + target.target
        if target.members is not None:
            members = target.members if members is None else members + target.members
        planned = planned or target.source is TargetSource.PLAN
    source = TargetSource.PLAN if planned else TargetSource.MEMBERS
    return UnitTotal(achieved, UnitTarget(known, source, members))
