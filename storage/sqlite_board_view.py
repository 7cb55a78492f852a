"""`/bxh` and `/donvi` on SQLite: boards ranked in SQL over `board_rows` (migration 0007).

A board is one statement, so all its parts come from the same snapshot. The order is
`rank_key` (percent desc, achieved desc, reached first), then the Vietnamese sort key of
the name, then the member id: `leaderboards.ranking.rank`'s order. Ranks are not
computed in SQL (a window function over 5,000 rows costs as much as we save): the rows
come back with their positions and `leaderboards.ranking.ranked_run` ranks them.

A scope's rows are one range of the primary key. A small scope sorts its range; a
larger one walks `board_rows_rank`, already in order, so the top ten of a province
reads ten index entries instead of sorting 5,000 rows. The counts and totals are kept
per lineage (migration 0122), and the member's position reads the order up to their row.
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
from storage.store_base import StoreBase, unit_from
from storage.unit_board_sql import FOLDED_UNITS, UNIT_PARTS
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

# SQLite's index hints. `_BY_RANGE` names the primary key of the WITHOUT ROWID table
# (SQLite's own name for it): NOT INDEXED does not keep the planner off board_rows_rank.
# PostgreSQL plans for itself: the statement takes them as `{ordered}`.
_BY_RANGE = "INDEXED BY sqlite_autoindex_board_rows_1"
_BY_RANK = "INDEXED BY board_rows_rank"

# The scope's lineage range comes as values (:low, :high), not as a subquery: PostgreSQL
# then plans for the scope's real size (a commune's range sorts its 20 rows; with a
# subquery it walked the country's rank index for them).
_IN_SCOPE = (
    "b.period_key = :period AND b.combo = :combo AND b.lineage >= :low AND b.lineage < :high"
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

# On the board: the row's `listed` (storage/board_cache.py keeps it, LISTED_OF_ROW).
_LISTED = "b.listed = 1"

# A row as every part returns it; names are read for the rows returned only. The name
# key is the board row's own (migration 0118), so the rank index holds the whole order.
_ROW = (
    "b.member_id, (SELECT name FROM members WHERE id = b.member_id) AS name,"
    " b.achieved, b.target, b.reached, b.rank_key, b.name_key"
)

# What the parts other than 'me' have instead of `listed` and the counts (typed, so
# that PostgreSQL can match the columns of the UNION).
_NO_COUNTS = ", ".join(["CAST(NULL AS INTEGER)"] * 6)

# `ordered`: the scope's rows, for the parts read in rank order, through {ordered} (an
# index hint, see the module).
# The member's keys are read through subqueries, not a join, so that a walk can follow
# the rank index in its order.
_PEOPLE = f"""WITH
board AS {{board_cte}} (
    SELECT * FROM board_rows b {{by_range}} WHERE {_IN_SCOPE}
),
ordered AS {{ordered_cte}} (
    SELECT * FROM board_rows b {{ordered}} WHERE {_IN_SCOPE}
),
me AS (
    SELECT {_ROW}, b.listed
    FROM board_rows b WHERE b.member_id = :member AND {_IN_SCOPE}
),
top_rows AS (
    SELECT {_ROW} FROM ordered b
    WHERE b.rank_key IS NOT NULL
    ORDER BY b.rank_key, b.name_key, b.member_id LIMIT :top
),
above AS (
    SELECT {_ROW} FROM ordered b
    WHERE b.rank_key <= (SELECT rank_key FROM me)
      AND (b.rank_key, b.name_key, b.member_id)
          < (SELECT rank_key, name_key, member_id FROM me)
    ORDER BY b.rank_key DESC, b.name_key DESC, b.member_id DESC LIMIT :around
),
below AS (
    SELECT {_ROW} FROM ordered b
    WHERE b.rank_key >= (SELECT rank_key FROM me)
      AND (b.rank_key, b.name_key, b.member_id)
          > (SELECT rank_key, name_key, member_id FROM me)
    ORDER BY b.rank_key, b.name_key, b.member_id LIMIT :around
),
unranked AS (
    SELECT {_ROW} FROM ordered b
    WHERE b.rank_key IS NULL AND {_LISTED}
    ORDER BY b.achieved DESC, b.name_key, b.member_id LIMIT :unranked
),
-- How many are ranked and the totals: kept per lineage (migration 0122), so a country
-- reads one row per unit with people, not every person.
sums AS (
    SELECT coalesce(sum(s.ranked), 0) AS ranked,
        coalesce(sum(s.achieved), 0) AS achieved_total,
        coalesce(sum(s.target), 0) AS target_total
    FROM board_lineage_sums s
    WHERE s.period_key = :period AND s.combo = :combo AND s.lineage >= :low AND s.lineage < :high
),
-- The rank key of the first row of the run (the member, or the first row above them).
run_start AS (
    SELECT min(rank_key) AS rank_key FROM
        (SELECT rank_key FROM above UNION ALL SELECT rank_key FROM me) AS run_keys
),
-- Where the member stands, counted from the nearer end (:from_front, 1 or 0: the other
-- part reads nothing). From the front: the rows before them, read in rank order up to
-- their row (a whole country: `ordered`) or over the range of the scope (`board`); the rank
-- of the first row of the run is 1 + those strictly ahead of it.
before AS (
    SELECT
        count(*) FILTER (WHERE b.rank_key < (SELECT rank_key FROM run_start)) AS ahead_of_run,
        count(*) AS before_member
    FROM {{counted}} b
    WHERE :from_front = 1 AND b.rank_key <= (SELECT rank_key FROM me)
      AND (b.rank_key, b.name_key, b.member_id) < (SELECT rank_key, name_key, member_id FROM me)
),
-- From the back: the rows from the first key of the run on, and those after the member;
-- every ranked row is ahead of the run, in it, or after it.
behind AS (
    SELECT count(*) AS from_run,
        count(*) FILTER (WHERE (b.rank_key, b.name_key, b.member_id)
            > (SELECT rank_key, name_key, member_id FROM me)) AS after_member
    FROM {{counted}} b
    WHERE :from_front = 0 AND b.rank_key >= (SELECT rank_key FROM run_start)
),
counts AS (
    SELECT sums.ranked,
        CASE WHEN :from_front = 1 OR (SELECT rank_key FROM me) IS NULL
            THEN before.ahead_of_run ELSE sums.ranked - behind.from_run END,
        CASE WHEN :from_front = 1 OR (SELECT rank_key FROM me) IS NULL
            THEN before.before_member ELSE sums.ranked - 1 - behind.after_member END,
        sums.achieved_total, sums.target_total
    FROM sums CROSS JOIN before CROSS JOIN behind
)
SELECT 'top', *, {_NO_COUNTS} FROM top_rows
UNION ALL SELECT 'above', *, {_NO_COUNTS} FROM above
UNION ALL SELECT 'below', *, {_NO_COUNTS} FROM below
UNION ALL SELECT 'unranked', *, {_NO_COUNTS} FROM unranked
UNION ALL SELECT 'me', me.*, counts.* FROM counts LEFT JOIN me ON true
"""

# Columns of a row of _PEOPLE: the part, then _ROW; 'me' adds `listed` and the counts.
_PART, _ID, _NAME, _ACHIEVED, _TARGET, _REACHED, _RANK_KEY, _NAME_KEY, _LISTED_COL = range(9)


def _standing(row: Any) -> Standing:
    reached = row[_REACHED]
    at = None if reached is None else datetime.fromisoformat(reached)
    return Standing.of(row[_ID], row[_NAME], row[_ACHIEVED], row[_TARGET], at)


def _in_order(rows: list[Any]) -> list[Any]:
    # The board's order, whatever order the parts of the UNION kept.
    return sorted(rows, key=lambda row: (row[_RANK_KEY], row[_NAME_KEY], row[_ID]))


class BoardViewStore(StoreBase):
    def _hinted(self, sql: str, *, by_rank_index: bool, count_by_walk: bool) -> str:
        """`sql` with SQLite's index hints where the backend takes them. PostgreSQL
        takes none: a small scope's rows are read once (MATERIALIZED) and sorted, as
        its planner, not knowing how few they are, walked the rank index of the
        whole country for a commune's top ten. `count_by_walk`: the asker's place is
        counted along the rank index (a whole country), else over the scope's range.
        PostgreSQL counts over the range it read once (`ordered` when sorted, else
        `board`, MATERIALIZED): left to itself it counted a province's place along the
        country's rank index (38,000 rows read, 1,200 counted)."""
        if not self.INDEX_HINTS:
            materialized = "NOT MATERIALIZED" if by_rank_index else "MATERIALIZED"
            return sql.format(
                by_range="",
                ordered="",
                ordered_cte=materialized,
                board_cte="MATERIALIZED",
                counted="ordered" if count_by_walk or not by_rank_index else "board",
            )
        return sql.format(
            by_range=_BY_RANGE,
            ordered=_BY_RANK if by_rank_index else _BY_RANGE,
            ordered_cte="NOT MATERIALIZED",
            board_cte="NOT MATERIALIZED",
            counted="ordered" if count_by_walk else "board",
        )

    async def _ready(
        self, unit_id: int, period: Period, programs: tuple[str, ...] | None
    ) -> tuple[float, str, str]:
        """Catch up what triggers could not (targets, names, a new board of `programs`;
        None: the period only, for a unit board). The share of all units in `unit_id`'s
        subtree (0 for a unit board: it needs not know), and its lineage range."""
        combo = None if programs is None else combo_of(programs)
        params: dict[str, object]
        if combo is None:
            sql, params = _READY.format(behind=NEEDS_PERIOD, large="NULL"), {}
        else:
            sql = _READY.format(behind=NEEDS_CATCH_UP, large=_LARGE)
            params = {"combo": combo}
        params |= {"scope": unit_id, "period": period.key}
        [(behind, share, low, high)] = await self._all(sql, params)
        if behind:
            # Derived rows only, redone if a crash loses them: the view need not wait
            # for the disk (a durable commit was a quarter of a view after a log).
            async with self._exclusive_transaction(durable=False) as db:
                cleared = await catch_up(db, period, programs)
            if cleared >= RECLAIM_AFTER:
                await self._reclaim(QUEUES)
        return float(share or 0), low, high

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
            self._hinted(_PEOPLE, by_rank_index=by_index, count_by_walk=walk),
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
        them (storage/unit_board_sql.py), with each program's parts, in one read."""
        _, low, high = await self._ready(unit_id, period, None)
        names = {f"program{index}": code for index, code in enumerate(programs)}
        rows = await self._all(
            FOLDED_UNITS.format(programs=", ".join(f":{name}" for name in names)),
            {"scope": unit_id, "low": low, "high": high, "child_at": len(low) + 1}
            | {"period": period.key}
            | names,
        )
        units = [unit_from(row[2:]) for row in rows if row[0] == "unit"]
        return FoldedUnits(units, _parts([row[:5] for row in rows if row[0] != "unit"], programs))


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
