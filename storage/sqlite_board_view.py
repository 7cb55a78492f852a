"""`/bxh` and `/donvi` on SQLite: boards ranked in SQL over `board_rows` (migration 0007).

A board is one statement, so all its parts come from the same snapshot. The order is
`rank_key` (percent desc, achieved desc, reached first), then the Vietnamese sort key of
the name, then the member id: `leaderboards.ranking.rank`'s order. Ranks are not
computed in SQL (a window function over 5,000 rows costs as much as we save): the rows
come back with their positions and `leaderboards.ranking.ranked_run` ranks them.

A scope's rows are one range of the primary key. A small scope sorts its range; a
larger one walks `board_rows_rank`, already in order, so the top ten of a province
reads ten index entries instead of sorting 5,000 rows. The counts and totals are kept
per lineage (migration 0122), and the member's position reads the order up to their row;
on PostgreSQL a whole board counts it per rank bucket (storage/people_slice_sql.py).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from leaderboards.ranking import Standing
from leaderboards.units import Credit
from storage.board_cache import (
    NEEDS_CATCH_UP,
    NEEDS_PERIOD,
    QUEUES,
    RECLAIM_AFTER,
    catch_up,
    combo_of,
)
from storage.board_view_repository import FoldedUnits, PeopleSlice, UnitBoardParts
from storage.folded_cache import KEPT_CHANGES, fold_cache
from storage.kept_plans import KeptPlan
from storage.people_slice_sql import PEOPLE_BY_RANGE, PEOPLE_WHOLE_BOARD, people_sql
from storage.store_base import StoreBase
from storage.unit_board_sql import UNIT_PARTS
from tracker.periods import Period

# A scope holding at least this share of all units walks the rank index: on the
# benchmark province a commune (1% of the units) sorts its 30 rows faster, a grassroots
# office (10%) already reads fewer rows through the index.
LARGE_SCOPE_SHARE = 0.05
# A scope holding at least this share of all units counts the asker's place by walking
# the rank index up to their row; a smaller one counts over its own range (an office's
# walk would read its whole province's order for its tenth of the rows).
WHOLE_SCOPE_SHARE = 0.5
# A walk counts the asker's place from the back of the order when, at their last ask of
# the same board, more than this share of it was ahead of them (otherwise, and the first
# time, from the front). Either way gives the same place; the nearer end reads fewer
# rows (the benchmark's national lead stood 39,000th of 60,000: 21,000 rows, not 39,000).
FROM_BACK_AFTER = 0.5
# How many (board, asker) places a process remembers for that choice, newest kept.
REMEMBERED_PLACES = 4_096

PlaceKey = tuple[int, str, str, int]
"""(scope unit, period key, combo, member): one asker's place on one board."""

# As sqlite_base.SCOPE, with a named parameter (these statements name all of theirs).
_SCOPE = (
    "WITH scope AS (SELECT lineage AS low, lineage || '~' AS high FROM units WHERE id = :scope)"
)

# Whether to catch up first, the scope's share of all units (a unit board needs not know:
# `{large}` is then NULL, and no unit is counted), and its lineage range: one read.
_READY = f"""{_SCOPE}
SELECT {{behind}}, {{large}}, (SELECT low FROM scope), (SELECT high FROM scope)
"""
# A scope that holds the first and the last lineage holds every unit: two index reads
# instead of counting a country's units twice.
_LARGE = """CASE WHEN (SELECT min(lineage) FROM units) >= (SELECT low FROM scope)
      AND (SELECT max(lineage) FROM units) < (SELECT high FROM scope) THEN CAST(1 AS REAL)
    ELSE CAST((SELECT count(*) FROM units u
        WHERE u.lineage >= (SELECT low FROM scope) AND u.lineage < (SELECT high FROM scope))
      AS REAL) / (SELECT count(*) FROM units) END"""

# Columns of a row of _PEOPLE: the part, then _ROW; 'me' adds `listed` and the counts.
_PART, _ID, _NAME, _ACHIEVED, _TARGET, _REACHED, _RANK_KEY, _NAME_KEY, _LISTED_COL = range(9)


def _standing(row: Any) -> Standing:
    reached = row[_REACHED]
    at = None if reached is None else datetime.fromisoformat(reached)
    return Standing.of(row[_ID], row[_NAME], row[_ACHIEVED], row[_TARGET], at)


def _in_order(rows: list[Any]) -> list[Any]:
    # The board's order, whatever order the parts of the UNION kept.
    return sorted(rows, key=lambda row: (row[_RANK_KEY], row[_NAME_KEY], row[_ID]))


_READY_PARAMS = {"scope": "bigint", "period": "text", "combo": "text"}
_READY_COLUMNS = (("behind", "boolean"), ("share", "real"), ("low", "text"), ("high", "text"))

# PostgreSQL keeps these plans (storage/kept_plans.py), as it keeps those of the slice
# (storage/people_slice_sql.py): the checks before every board.
READY_PEOPLE = KeptPlan(
    "kept_board_ready_people",
    _READY.format(behind=NEEDS_CATCH_UP, large=_LARGE),
    _READY_PARAMS,
    _READY_COLUMNS,
)
READY_UNITS = KeptPlan(
    "kept_board_ready_units",
    _READY.format(behind=NEEDS_PERIOD, large="NULL"),
    _READY_PARAMS,
    _READY_COLUMNS,
)
KEPT_PLANS = (READY_PEOPLE, READY_UNITS, PEOPLE_BY_RANGE, PEOPLE_WHOLE_BOARD, KEPT_CHANGES)


class BoardViewStore(StoreBase):
    def _people_sql(self, *, by_rank_index: bool, count_by_walk: bool, whole_board: bool) -> str:
        """The slice statement (storage/people_slice_sql.py); on PostgreSQL, a kept plan
        where there is one, and a whole board's counted per rank bucket (migration 0137)."""
        if self.KEEPS_PLANS and not by_rank_index:
            return PEOPLE_BY_RANGE.call
        if self.KEEPS_PLANS and whole_board:
            return PEOPLE_WHOLE_BOARD.call
        return people_sql(
            index_hints=self.INDEX_HINTS,
            by_rank_index=by_rank_index,
            count_by_walk=count_by_walk,
        )

    async def ready_boards(self, period: Period, programs: tuple[str, ...]) -> bool:
        # Any unit will do: the scope only decides the share the check reports, and a
        # period is caught up for the whole country at once.
        first = await self._one("SELECT id FROM units ORDER BY lineage LIMIT 1")
        if first is None:
            return False
        made_period, *_ = await self._caught_up(first[0], period, None)
        made_board, *_ = await self._caught_up(first[0], period, programs)
        return made_period or made_board

    async def _ready(
        self, unit_id: int, period: Period, programs: tuple[str, ...] | None
    ) -> tuple[float, str, str]:
        """Catch up what triggers could not (targets, names, a new board of `programs`;
        None: the period only, for a unit board). The share of all units in `unit_id`'s
        subtree (0 for a unit board: it needs not know), and its lineage range."""
        _, share, low, high = await self._caught_up(unit_id, period, programs)
        return share, low, high

    async def _caught_up(
        self, unit_id: int, period: Period, programs: tuple[str, ...] | None
    ) -> tuple[bool, float, str, str]:
        """`_ready`, and first whether there was anything to catch up."""
        plan = READY_UNITS if programs is None else READY_PEOPLE
        sql = plan.call if self.KEEPS_PLANS else plan.sql
        params = {"scope": unit_id, "period": period.key}
        if programs is not None:
            params["combo"] = combo_of(programs)
        [(behind, share, low, high)] = await self._all(sql, params)
        if behind:
            # Derived rows only, redone if a crash loses them: the view need not wait
            # for the disk (a durable commit was a quarter of a view after a log).
            async with self._exclusive_transaction(durable=False) as db:
                done = await catch_up(db, period, programs, writers_overlap=self.WRITERS_OVERLAP)
            if done.cleared >= RECLAIM_AFTER:
                await self._vacuum(QUEUES)
            if done.filled:
                await self._vacuum(done.filled)
        return bool(behind), float(share or 0), low, high

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
        by_rank_index: bool | None = None,
    ) -> PeopleSlice:
        """The parts of `unit_id`'s person board a chat shows to `member_id`.

        `by_rank_index`: walk the rank index (True) or sort the scope's range (False);
        None picks by the scope's size. Both give the same rows.
        """
        share, low, high = await self._ready(unit_id, period, programs)
        by_index = share >= LARGE_SCOPE_SHARE if by_rank_index is None else by_rank_index
        walk = by_index and share >= WHOLE_SCOPE_SHARE
        place: PlaceKey = (unit_id, period.key, combo_of(programs), member_id)
        from_back = walk and _last_places.get(place, 0.0) > FROM_BACK_AFTER
        rows = await self._all(
            # A scope that holds every unit has a share of 1 exactly (see _LARGE).
            self._people_sql(by_rank_index=by_index, count_by_walk=walk, whole_board=share >= 1),
            {
                "low": low,
                "high": high,
                "period": period.key,
                "combo": combo_of(programs),
                "member": member_id,
                "top": top,
                "around": around,
                "unranked": unranked,
                "from_front": 0 if from_back else 1,
            },
        )
        parts: dict[str, list[Any]] = {"top": [], "above": [], "below": [], "unranked": []}
        for row in rows:
            parts.setdefault(row[_PART], []).append(row)
        [me] = parts["me"]  # the counts, with the member's own row when they are on the board
        ranked, ahead_of_run, before_member, achieved_total, target_total = me[_LISTED_COL + 1 :]
        in_order = me[_RANK_KEY] is not None
        if walk and in_order:
            _remember_place(place, before_member / ranked)
        run = [*_in_order(parts["above"]), me, *_in_order(parts["below"])] if in_order else []
        unranked_rows = sorted(
            parts["unranked"], key=lambda row: (-row[_ACHIEVED], row[_NAME_KEY], row[_ID])
        )
        listed_apart = me[_ID] is not None and not in_order and me[_LISTED_COL]
        return PeopleSlice(
            ranked_count=ranked,
            top=[_standing(row) for row in _in_order(parts["top"])],
            run=[_standing(row) for row in run],
            run_start=before_member - len(parts["above"]) if in_order else 0,
            run_first_rank=ahead_of_run + 1,
            member_position=before_member if in_order else None,
            unranked=[_standing(row) for row in unranked_rows],
            member_unranked=_standing(me) if listed_apart else None,
            achieved_total=achieved_total,
            target_total=target_total,
        )

    async def unit_board_parts(
        self, unit_id: int, period: Period, programs: tuple[str, ...]
    ) -> dict[str, UnitBoardParts]:
        """Per program: credits, unit quotas and members' targets over every unit of
        `unit_id`'s subtree, in one read."""
        _, low, high = await self._ready(unit_id, period, None)
        names = {f"program{index}": code for index, code in enumerate(programs)}
        rows = await self._all(
            UNIT_PARTS.format(programs=", ".join(f":{name}" for name in names)),
            {"low": low, "high": high, "period": period.key} | names,
        )
        return _parts(rows, programs)

    async def folded_units(
        self, unit_id: int, period: Period, programs: tuple[str, ...]
    ) -> FoldedUnits:
        """`unit_id`'s subtree folded onto its children and the planned units below
        them (storage/unit_board_sql.py), with each program's parts: kept by the process
        and brought up to date in one read (storage/folded_cache.py)."""

        async def ready() -> tuple[str, str]:
            _, low, high = await self._ready(unit_id, period, None)
            return low, high

        return await fold_cache(self).folded(self, unit_id, period, programs, ready)


# The share of the order ahead of each recent asker, newest last: a hint for which end
# to count from, so it may be stale or another database's without changing an answer.
_last_places: OrderedDict[PlaceKey, float] = OrderedDict()


def _remember_place(place: PlaceKey, share_ahead: float) -> None:
    _last_places[place] = share_ahead
    _last_places.move_to_end(place)
    if len(_last_places) > REMEMBERED_PLACES:
        _last_places.popitem(last=False)


def _parts(rows: list[Any], programs: tuple[str, ...]) -> dict[str, UnitBoardParts]:
    credits: dict[str, list[Credit]] = {code: [] for code in programs}
    plans: dict[str, dict[int, int]] = {code: {} for code in programs}
    member_targets: dict[str, list[tuple[int, int]]] = {code: [] for code in programs}
    for part, program, key, total, at in rows:
        if part == "credit":
            credits[program].append(Credit(key, total, datetime.fromisoformat(at)))
        elif part == "members":
            member_targets[program].append((key, total))
        else:  # a unit's own plan
            plans[program][key] = total
    return {
        code: UnitBoardParts(credits[code], plans[code], member_targets[code]) for code in programs
    }
