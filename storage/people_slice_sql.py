"""The person board's slice (`/bxh`) as one statement, in its variants per backend and
scope size; see storage/sqlite_board_view.py for how they are chosen.

The order is `rank_key` (percent desc, achieved desc, reached first), then the
Vietnamese sort key of the name, then the member id: `leaderboards.ranking.rank`'s
order. A scope's rows are one range of the primary key: a small scope sorts its range,
a larger one walks `board_rows_rank`, already in order. The counts and totals are kept
per lineage (migration 0122); the member's position reads the order up to their row.

A whole board (a scope that holds every unit) on PostgreSQL counts the member's place
per rank bucket (migration 0137: the ranked rows of each whole percent of completion,
kept by statement triggers when board rows change, never on the logging path): the
buckets ahead of the member's, then the rows of their own bucket up to them. The
country's lead stood 39,000th of 60,000: 110 bucket rows and 800 index entries read
instead of 21,000 index entries.
"""

from __future__ import annotations

from storage.kept_plans import KeptPlan

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

# A scope's own rows: where the member stands, counted along `{counted}`.
_COUNTING_ALONG = """
-- Where the member stands, counted from the nearer end (:from_front, 1 or 0: the other
-- part reads nothing). From the front: the rows before them, read in rank order up to
-- their row (a whole country: `ordered`) or over the range of the scope (`board`); the rank
-- of the first row of the run is 1 + those strictly ahead of it.
before AS (
    SELECT
        count(*) FILTER (WHERE b.rank_key < (SELECT rank_key FROM run_start)) AS ahead_of_run,
        count(*) AS before_member
    FROM {counted} b
    WHERE :from_front = 1 AND b.rank_key <= (SELECT rank_key FROM me)
      AND (b.rank_key, b.name_key, b.member_id) < (SELECT rank_key, name_key, member_id FROM me)
),
-- From the back: the rows from the first key of the run on, and those after the member;
-- every ranked row is ahead of the run, in it, or after it.
behind AS (
    SELECT count(*) AS from_run,
        count(*) FILTER (WHERE (b.rank_key, b.name_key, b.member_id)
            > (SELECT rank_key, name_key, member_id FROM me)) AS after_member
    FROM {counted} b
    WHERE :from_front = 0 AND b.rank_key >= (SELECT rank_key FROM run_start)
),
"""

# A rank key's bucket: its first ten characters, the completion in whole percents (the
# key starts with 999999999999 minus the hundredths, 12 digits). Migration 0137 keeps
# the same buckets (and the unranked rows' totals under '~', after every bucket);
# tests/test_board_sql.py recounts them.
BUCKET_OF = "substr({key}, 1, 10)"
# Every key of a bucket sorts below the bucket followed by ':' (the character after '9':
# the eleventh character of a key is a digit).
_PAST_BUCKET = "':'"

_WHOLE_BOARD = "b.period_key = :period AND b.combo = :combo"
_SUMS_BY_LINEAGE = (
    "board_lineage_sums s WHERE s.period_key = :period AND s.combo = :combo"
    " AND s.lineage >= :low AND s.lineage < :high"
)
_SUMS_BY_BUCKET = "board_rank_buckets s WHERE s.period_key = :period AND s.combo = :combo"

# A whole board, from the front: the ranked rows of the buckets ahead of the run's first
# key, then the rows from the start of its bucket up to the member; from the back: the
# buckets after the member's, then the rows from the run's first key to the end of the
# member's bucket. Each half reads nothing when the other is asked (:from_front).
_COUNTING_BY_BUCKET = f"""before AS (
    SELECT ahead.n + own.ahead_of_run AS ahead_of_run, ahead.n + own.before_member AS before_member
    FROM (SELECT coalesce(sum(k.ranked), 0) AS n FROM board_rank_buckets k
        WHERE :from_front = 1 AND k.period_key = :period AND k.combo = :combo
        AND k.bucket < {BUCKET_OF.format(key="(SELECT rank_key FROM run_start)")}) AS ahead
    CROSS JOIN (SELECT
        count(*) FILTER (WHERE b.rank_key < (SELECT rank_key FROM run_start)) AS ahead_of_run,
        count(*) AS before_member
        FROM board_rows b
        WHERE :from_front = 1 AND {_WHOLE_BOARD}
        AND b.rank_key >= {BUCKET_OF.format(key="(SELECT rank_key FROM run_start)")}
        AND b.rank_key <= (SELECT rank_key FROM me)
        AND (b.rank_key, b.name_key, b.member_id) < (SELECT rank_key, name_key, member_id FROM me)
    ) AS own
),
behind AS (
    SELECT beyond.n + own.from_run AS from_run, beyond.n + own.after_member AS after_member
    FROM (SELECT coalesce(sum(k.ranked), 0) AS n FROM board_rank_buckets k
        WHERE :from_front = 0 AND k.period_key = :period AND k.combo = :combo
        AND k.bucket > {BUCKET_OF.format(key="(SELECT rank_key FROM me)")}) AS beyond
    CROSS JOIN (SELECT count(*) AS from_run,
        count(*) FILTER (WHERE (b.rank_key, b.name_key, b.member_id)
            > (SELECT rank_key, name_key, member_id FROM me)) AS after_member
        FROM board_rows b
        WHERE :from_front = 0 AND {_WHOLE_BOARD}
        AND b.rank_key >= (SELECT rank_key FROM run_start)
        AND b.rank_key < {BUCKET_OF.format(key="(SELECT rank_key FROM me)")} || {_PAST_BUCKET}
    ) AS own
),
"""

# `ordered`: the scope's rows, for the parts read in rank order, through {ordered} (an
# index hint, see the module).
# The member's keys are read through subqueries, not a join, so that a walk can follow
# the rank index in its order.
_PEOPLE = f"""WITH
board AS {{board_cte}} (
    SELECT * FROM board_rows b {{by_range}} WHERE {{in_scope}}
),
ordered AS {{ordered_cte}} (
    SELECT * FROM board_rows b {{ordered}} WHERE {{in_scope}}
),
me AS (
    SELECT {_ROW}, b.listed
    FROM board_rows b WHERE b.member_id = :member AND {{in_scope}}
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
-- reads one row per unit with people, not every person (a whole board: per bucket).
sums AS (
    SELECT coalesce(sum(s.ranked), 0) AS ranked,
        coalesce(sum(s.achieved), 0) AS achieved_total,
        coalesce(sum(s.target), 0) AS target_total
    FROM {{sums}}
),
-- The rank key of the first row of the run (the member, or the first row above them).
run_start AS (
    SELECT min(rank_key) AS rank_key FROM
        (SELECT rank_key FROM above UNION ALL SELECT rank_key FROM me) AS run_keys
),
{{counting}}
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


def people_sql(
    *, index_hints: bool, by_rank_index: bool, count_by_walk: bool, whole_board: bool = False
) -> str:
    """The slice statement for a backend and a scope. `index_hints`: SQLite's, which
    PostgreSQL does not take: there a small scope's rows are read once (MATERIALIZED)
    and sorted, as its planner, not knowing how few they are, walked the rank index of
    the whole country for a commune's top ten. `count_by_walk`: the asker's place is
    counted along the rank index (a whole country), else over the scope's range.
    PostgreSQL counts over the range it read once (`ordered` when sorted, else `board`,
    MATERIALIZED): left to itself it counted a province's place along the country's
    rank index (38,000 rows read, 1,200 counted). `whole_board` (PostgreSQL, walking):
    the scope holds every unit, so every row of the board is in it, and the place is
    counted per bucket."""
    if whole_board:
        return _PEOPLE.format(
            by_range="",
            ordered="",
            ordered_cte="NOT MATERIALIZED",
            board_cte="NOT MATERIALIZED",
            in_scope=_WHOLE_BOARD,
            sums=_SUMS_BY_BUCKET,
            counting=_COUNTING_BY_BUCKET,
        )
    if not index_hints:
        materialized = "NOT MATERIALIZED" if by_rank_index else "MATERIALIZED"
        counted = "ordered" if count_by_walk or not by_rank_index else "board"
        return _PEOPLE.format(
            by_range="",
            ordered="",
            ordered_cte=materialized,
            board_cte="MATERIALIZED",
            in_scope=_IN_SCOPE,
            sums=_SUMS_BY_LINEAGE,
            counting=_COUNTING_ALONG.format(counted=counted),
        )
    return _PEOPLE.format(
        by_range=_BY_RANGE,
        ordered=_BY_RANK if by_rank_index else _BY_RANGE,
        ordered_cte="NOT MATERIALIZED",
        board_cte="NOT MATERIALIZED",
        in_scope=_IN_SCOPE,
        sums=_SUMS_BY_LINEAGE,
        counting=_COUNTING_ALONG.format(counted="ordered" if count_by_walk else "board"),
    )


# The columns of a row of _PEOPLE (see _PART and after), typed.
PEOPLE_COLUMNS = (
    ("part", "text"), ("member_id", "bigint"), ("name", "text"), ("achieved", "integer"),
    ("target", "integer"), ("reached", "text"), ("rank_key", "text"), ("name_key", "text"),
    ("listed", "integer"), ("ranked", "bigint"), ("ahead_of_run", "bigint"),
    ("before_member", "bigint"), ("achieved_total", "bigint"), ("target_total", "bigint"),
)  # fmt: skip

_PEOPLE_PARAMS = {"period": "text", "combo": "text", "member": "bigint", "top": "integer"} | {
    "around": "integer",
    "unranked": "integer",
    "from_front": "integer",
    "low": "text",
    "high": "text",
}
# PostgreSQL keeps the plans of these two (storage/kept_plans.py): their shape does not
# depend on the scope's size. A large scope that is not the whole board walks the rank
# index and filters it by lineage: planned for its values at every call.
PEOPLE_BY_RANGE = KeptPlan(
    "kept_board_people_by_range",
    people_sql(index_hints=False, by_rank_index=False, count_by_walk=False),
    _PEOPLE_PARAMS,
    PEOPLE_COLUMNS,
)
PEOPLE_WHOLE_BOARD = KeptPlan(
    "kept_board_people_whole",
    people_sql(index_hints=False, by_rank_index=True, count_by_walk=True, whole_board=True),
    _PEOPLE_PARAMS,
    PEOPLE_COLUMNS,
)
