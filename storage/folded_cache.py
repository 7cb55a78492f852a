"""Unit boards' folds kept by each process between views (issue 15).

Folding a country's 3,775 units onto its 34 provinces read every unit's totals and
members' targets on each `/donvi` and `/bxh` of the national lead (25-30 ms of the
server's time). A process now keeps each fold it read, with every unit's own totals
unfolded beside it, and on the next view reads only what changed since, in one
statement with the mark it is current to:

- entries (logged, undone, rejected, confirmed) change only unit totals; the units they
  change are marked in `unit_changes` (migration 0080; on PostgreSQL by transaction id,
  0101). The units marked at or after the kept mark are read again and their owners'
  sums added up again here; the rest of the fold stands;
- anything else a fold depends on (units, unit plans, members' targets summed per unit,
  the periods materialised) moves 0133's `fold_generation`, and the fold is read again
  whole.

Both marks are read in the same statement (one snapshot) as the rows they vouch for, so
each process, whatever the others write, answers exactly what the fold statement would
(tests/test_folded_cache.py). The fold itself (which unit each unit is added to) stays
in SQL, storage/unit_board_sql.py; here only sums are taken.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from leaderboards.units import Credit
from storage.board_cache import NEEDS_PERIOD
from storage.board_view_repository import FoldedUnits, UnitBoardParts
from storage.kept_plans import KeptPlan
from storage.store_base import TRANSACTION_HORIZON, StoreBase, unit_from
from storage.unit_board_sql import FOLD_CHANGES, FOLD_LOAD
from tracker.models import Unit
from tracker.periods import Period

KEPT_FOLDS = 256
"""Folds a process keeps, the most recently viewed: the country's is some 10,000 small
objects, a commune's a handful."""

# On SQLite the change counter of 0080 is exact (one writer commits in its order): a
# unit changed after the mark has a greater one. PostgreSQL's marks are transaction
# ids and its mark the oldest transaction still running (StoreBase.CHANGE_HORIZON).
_SQLITE_MARK = "(SELECT seq FROM change_counter WHERE id = 1)"

# Programs a kept plan of FOLD_CHANGES takes; a board of fewer repeats its first (the
# same `IN` list), one of more is planned at its call.
_KEPT_PROGRAMS = 2

# PostgreSQL keeps the plan of FOLD_CHANGES (storage/kept_plans.py): it is a view's one
# statement on a kept fold, and planning it cost ten times running it (2 ms, 0.2 ms).
# Its shape does not depend on the scope: the changed units lead.
KEPT_CHANGES = KeptPlan(
    "kept_fold_changes",
    FOLD_CHANGES.format(
        programs=", ".join(f":program{n}" for n in range(_KEPT_PROGRAMS)),
        mark=TRANSACTION_HORIZON,
        after=">=",
        behind=NEEDS_PERIOD,
    ),
    {"scope": "bigint", "period": "text", "mark": "bigint"}
    | {f"program{n}": "text" for n in range(_KEPT_PROGRAMS)},
    (
        ("part", "text"),
        ("program_code", "text"),
        ("unit_key", "bigint"),
        ("value_a", "bigint"),
        ("value_b", "text"),
        ("value_c", "integer"),
    ),
)

FoldKey = tuple[int, str, tuple[str, ...]]
"""(scope unit, period key, programs)."""

UnitCredit = tuple[int, str]
"""A unit's own totals of one program: achieved, latest entry time (ISO text, as stored:
the greatest text is the latest time, as SQL's max takes it)."""


@dataclass
class _Fold:
    """One scope's fold as last read, and the marks it is current to."""

    generation: int
    mark: int
    units: list[Unit]
    owner_of: dict[int, int]
    units_of: dict[int, list[int]]
    plans: dict[str, dict[int, int]]
    member_targets: dict[str, list[tuple[int, int]]]
    unit_credits: dict[str, dict[int, UnitCredit]]
    owner_credits: dict[str, dict[int, Credit]]

    @classmethod
    def load(cls, rows: Iterable[Any], programs: tuple[str, ...]) -> _Fold:
        """From FOLD_LOAD's rows."""
        generation = mark = 0
        units: list[Unit] = []
        owner_of: dict[int, int] = {}
        plans: dict[str, dict[int, int]] = {code: {} for code in programs}
        member_targets: dict[str, list[tuple[int, int]]] = {code: [] for code in programs}
        unit_credits: dict[str, dict[int, UnitCredit]] = {code: {} for code in programs}
        for part, program, key, first, second, third in rows:
            if part == "mark":
                generation, mark = int(key), int(first)
            elif part == "unit":
                units.append(unit_from((key, first, second, third)))
            elif part == "owner":
                owner_of[key] = first
            elif part == "credit":
                unit_credits[program][key] = (first, second)
            elif part == "plan":
                plans[program][key] = first
            else:  # members' targets, folded
                member_targets[program].append((key, first))
        units_of: dict[int, list[int]] = defaultdict(list)
        for unit_id, owner_id in owner_of.items():
            units_of[owner_id].append(unit_id)
        fold = cls(
            generation, mark, units, owner_of, dict(units_of), plans, member_targets,
            unit_credits, {code: {} for code in programs},
        )  # fmt: skip
        for code in programs:
            fold._add_up(code, set(units_of))
        return fold

    def apply(self, rows: Iterable[Any]) -> bool:
        """FOLD_CHANGES' rows after its mark: the changed units' totals replace theirs.
        False when a unit is not in the fold (it cannot be, unless the units changed;
        the caller then reads it whole)."""
        changed: set[int] = set()
        fresh: list[tuple[str, int, UnitCredit]] = []
        for part, program, key, first, second, _ in rows:
            if part == "changed":
                changed.add(key)
            elif part == "credit":
                fresh.append((program, key, (first, second)))
        if not changed <= self.owner_of.keys():
            return False
        for credits in self.unit_credits.values():
            for unit_id in changed:
                credits.pop(unit_id, None)
        for program, unit_id, credit in fresh:
            self.unit_credits[program][unit_id] = credit
        owners = {self.owner_of[unit_id] for unit_id in changed}
        for code in self.unit_credits:
            self._add_up(code, owners)
        return True

    def _add_up(self, program: str, owners: Iterable[int]) -> None:
        """The credit of each of `owners`: its units' achieved added up, their latest
        time (none when none of its units has logged)."""
        credits = self.unit_credits[program]
        for owner_id in owners:
            mine = [credits[unit] for unit in self.units_of.get(owner_id, ()) if unit in credits]
            if mine:
                achieved = sum(credit[0] for credit in mine)
                latest = max(credit[1] for credit in mine)
                at = datetime.fromisoformat(latest)
                self.owner_credits[program][owner_id] = Credit(owner_id, achieved, at)
            else:
                self.owner_credits[program].pop(owner_id, None)

    def folded(self) -> FoldedUnits:
        return FoldedUnits(
            list(self.units),
            {
                code: UnitBoardParts(
                    list(self.owner_credits[code].values()),
                    dict(self.plans[code]),
                    list(self.member_targets[code]),
                )
                for code in self.unit_credits
            },
        )


class FoldCache:
    """One store's kept folds, the most recently viewed last."""

    def __init__(self) -> None:
        self._folds: OrderedDict[FoldKey, _Fold] = OrderedDict()
        # One reading at a time per fold: two applied out of order would leave it older
        # than its mark says.
        self._locks: dict[FoldKey, asyncio.Lock] = {}

    async def folded(
        self,
        store: StoreBase,
        unit_id: int,
        period: Period,
        programs: tuple[str, ...],
        ready: Callable[[], Awaitable[tuple[str, str]]],
    ) -> FoldedUnits:
        """`unit_id`'s fold, kept or read. `ready`: catches board_cache up and gives the
        scope's lineage range, for a fold read whole (a kept one asks in its one read
        whether catching up is needed)."""
        key: FoldKey = (unit_id, period.key, programs)
        names = {f"program{index}": code for index, code in enumerate(programs)}
        listed = ", ".join(f":{name}" for name in names)
        params: dict[str, object] = {"scope": unit_id, "period": period.key}
        params |= names
        if store.CHANGE_HORIZON is None:
            mark, after = _SQLITE_MARK, ">"
        else:
            mark, after = store.CHANGE_HORIZON, ">="
        async with self._locks.setdefault(key, asyncio.Lock()):
            fold = self._folds.get(key)
            if fold is not None:
                asked = params | {"mark": fold.mark}
                if store.KEEPS_PLANS and len(programs) <= _KEPT_PROGRAMS:
                    changes = KEPT_CHANGES.call
                    padded = (*programs, *[programs[0]] * (_KEPT_PROGRAMS - len(programs)))
                    asked |= {f"program{n}": code for n, code in enumerate(padded)}
                else:
                    changes = FOLD_CHANGES.format(
                        programs=listed, mark=mark, after=after, behind=NEEDS_PERIOD
                    )
                rows = await store._all(changes, asked)
                generation, new_mark, behind = _marks(rows)
                if not behind and generation == fold.generation and fold.apply(rows):
                    fold.mark = new_mark
                    self._folds.move_to_end(key)
                    return fold.folded()
            low, high = await ready()
            rows = await store._all(
                FOLD_LOAD.format(programs=listed, mark=mark),
                params | {"low": low, "high": high, "child_at": len(low) + 1},
            )
            fold = _Fold.load(rows, programs)
            self._folds[key] = fold
            self._folds.move_to_end(key)
            while len(self._folds) > KEPT_FOLDS:
                gone, _ = self._folds.popitem(last=False)
                lock = self._locks.get(gone)
                if lock is not None and not lock.locked():
                    del self._locks[gone]
            return fold.folded()


def _marks(rows: Iterable[Any]) -> tuple[int, int, bool]:
    """FOLD_CHANGES' generation, change mark, and whether catching up is needed."""
    [(generation, mark, behind)] = [(row[2], row[3], row[5]) for row in rows if row[0] == "mark"]
    return int(generation), int(mark), bool(behind)


_caches: WeakKeyDictionary[StoreBase, FoldCache] = WeakKeyDictionary()


def fold_cache(store: StoreBase) -> FoldCache:
    """`store`'s kept folds (each database its own)."""
    cache = _caches.get(store)
    if cache is None:
        cache = _caches[store] = FoldCache()
    return cache
