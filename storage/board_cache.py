"""Catch up the materialised board inputs of migration 0007 before a board is read.

Triggers only mark what changed: members whose board rows lag their entries
(`stale_board_members`: recounting there and then halved the logging rate), quota books
whose targets must be derived again (`stale_quotas`: deriving needs Python) and members
whose Vietnamese sort key is missing (`stale_names`). `catch_up` settles those, and
materialises the period and combo asked for, inside the writer's transaction; the board
path calls it only when `NEEDS_CATCH_UP` says so: after entries of the period, a quota
change, a new member, or the first board of a period and combo. Entries logged between
two boards are recounted together, one row per member and board.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from leaderboards.ranking import vietnamese_order
from storage.store_base import Db
from tracker.periods import InvalidPeriod, Period, parse_period
from tracker.quotas import target_for

PAGE = 5_000
"""Rows the country-wide steps (sort names, a new period's targets) read into Python at a
time: the bot's memory stays flat however many members the database holds."""
# Past this many (stale book x materialised period) targets to derive again, dropping
# everything and materialising afresh what is asked for is cheaper (a province import).
RESET_AFTER = 20_000

QUEUES = ("stale_quotas", "stale_names", "stale_board_members")
"""What triggers mark for `catch_up` to settle; emptied by it."""
RECLAIM_AFTER = 1_000
"""Marks cleared at once past which their tables' space is worth reclaiming: on
PostgreSQL a queue emptied by DELETE keeps its dead rows until a vacuum, and every
board's "anything to catch up?" read them all (8 ms for 120,000 quota marks a
province's import left, on every first view of a week)."""

Book = tuple[tuple[str, int], ...]
"""A quota book, hashable: sorted (period key, value) pairs."""


def combo_of(programs: Iterable[str]) -> str:
    """The combo key of a board's programs: `TN+YT` however they were typed."""
    return "+".join(sorted(set(programs)))


@lru_cache(maxsize=65_536)  # thousands of people share a handful of quota books
def _target(period: Period, book: Book) -> int | None:
    return target_for(period, dict(book))


# SQL, true when `catch_up` has work for the board of (:period, :combo) over the units of
# a CTE `scope` (lineage from `low` to below `high`): a cheap read the board path makes
# first, on the reader. Entries only matter where their member is in the scope, so a
# commune's board is not held up by a commit for entries logged elsewhere.
NEEDS_CATCH_UP = (
    "(EXISTS (SELECT 1 FROM stale_board_members s JOIN members m ON m.id = s.member_id"
    "  JOIN units u ON u.id = m.unit_id WHERE s.period_key = :period"
    "  AND u.lineage >= (SELECT low FROM scope) AND u.lineage < (SELECT high FROM scope))"
    " OR EXISTS (SELECT 1 FROM stale_quotas) OR EXISTS (SELECT 1 FROM stale_names)"
    " OR NOT EXISTS (SELECT 1 FROM board_combos WHERE period_key = :period AND combo = :combo))"
)

# SQL, true when `catch_up` has work for a unit board of :period: unit boards read
# targets and unit totals only, never a person board's rows.
NEEDS_PERIOD = (
    "(EXISTS (SELECT 1 FROM stale_quotas)"
    " OR NOT EXISTS (SELECT 1 FROM member_target_periods WHERE period_key = :period))"
)


class CaughtUp(NamedTuple):
    """What a catch-up did that is worth a VACUUM once its transaction commits."""

    cleared: int
    """Name and quota marks cleared (see RECLAIM_AFTER)."""
    filled: tuple[str, ...]
    """Tables a new period or board was just written into, in bulk. On PostgreSQL their
    new pages are not marked all-visible until a vacuum, so each index-only scan of them
    visits the table as well, until autovacuum comes by a minute or more later."""


async def catch_up(
    db: Db, period: Period, programs: tuple[str, ...] | None, *, writers_overlap: bool
) -> CaughtUp:
    """Bring names, targets and the (period, combo) board up to date (`programs` None:
    the period's targets and unit totals only). Inside a write transaction; idempotent,
    so two boards racing to catch up do no harm. `writers_overlap`: logs may commit
    while it runs (PostgreSQL; see `_recount_stale_members`)."""
    # Nothing is materialised under a key that does not parse back to the same period:
    # `_refresh_targets` re-reads every key, and one bad key broke every board (issue 11).
    if parse_period(period.key) != period:
        raise InvalidPeriod(period.key)
    cleared = await _refresh_names(db) + await _refresh_targets(db)
    filled = await _materialise_period(db, period)
    if programs is None:
        filled += await _sum_member_targets(db, period.key)
    else:
        filled += await _materialise_board(db, period.key, programs)
    await _recount_stale_members(db, writers_overlap)
    return CaughtUp(cleared, filled)


async def _recount_stale_members(db: Db, writers_overlap: bool) -> None:
    """Every marked member's board rows, from entry_totals, in all periods marked.

    Where logs commit while this runs (PostgreSQL), the marks are taken and their rows
    recounted in one statement, so over one snapshot: a log that commits after it
    leaves its own mark (logs add a mark a log there, postgres/0146) for the next
    catch-up. Recounting, then clearing the marks in a second statement, cleared the
    marks of logs committed between the two unrecounted (tests/test_catch_up_race.py)."""
    if writers_overlap:
        await db.execute(
            "WITH gone AS (DELETE FROM stale_board_members RETURNING period_key, member_id) "
            + _recount("gone")
        )
        return
    # One writer: nothing commits between the two statements.
    await db.execute(_recount("stale_board_members"))
    await db.execute("DELETE FROM stale_board_members")


def _recount(marks: str) -> str:
    """UPDATE the board rows of the (period, member) pairs listed in `marks`."""
    return (
        "UPDATE board_rows SET"
        f" achieved = coalesce((SELECT sum(t.achieved) {_TOTALS_OF_ROW}), 0),"
        f" reached = (SELECT max(t.last_at) {_TOTALS_OF_ROW})"
        f" WHERE (period_key, member_id) IN (SELECT period_key, member_id FROM {marks})"
    )


async def _refresh_names(db: Db) -> int:
    cleared = 0
    while rows := await db.execute_fetchall(
        "SELECT s.member_id, m.name FROM stale_names s JOIN members m ON m.id = s.member_id"
        " ORDER BY s.member_id LIMIT ?",
        (PAGE,),
    ):
        marked = "SELECT member_id FROM stale_names WHERE member_id <= ?"
        await db.execute(
            f"DELETE FROM member_sort_names WHERE member_id IN ({marked})", (rows[-1][0],)
        )
        await db.insert_rows(
            "member_sort_names",
            ("member_id", "sort_key"),
            # Uncached: each name is keyed once and stored (see ranking.name_order).
            [(member_id, vietnamese_order(name)) for member_id, name in rows],
        )
        # Board rows carry the key (migration 0118) and, as a role change marks the
        # member too, whether they are listed (0119).
        await db.execute(
            "UPDATE board_rows SET name_key = coalesce((SELECT k.sort_key"
            " FROM member_sort_names k WHERE k.member_id = board_rows.member_id), ''),"
            f" listed = {LISTED_OF_ROW} WHERE member_id IN ({marked})",
            (rows[-1][0],),
        )
        await db.execute("DELETE FROM stale_names WHERE member_id <= ?", (rows[-1][0],))
        cleared += len(rows)
    await db.execute("DELETE FROM stale_names")  # members gone since they were marked
    return cleared


_QUOTA_ROWS = "SELECT target_kind, target_id, program, period_key, value FROM quotas"


async def _books(
    db: Db, where: str = "", params: tuple[object, ...] = ()
) -> dict[tuple[str, int, str], Book]:
    """(kind, target id, program) -> its quota book."""
    rows = await db.execute_fetchall(
        f"SELECT target_kind, target_id, program, period_key, value FROM quotas q {where}",
        params,
    )
    return _books_of(rows)


async def _book_pages(db: Db) -> AsyncIterator[dict[tuple[str, int, str], Book]]:
    """Every quota book, a page of owners at a time (whole books: an owner's rows are
    never split between two pages)."""
    after: tuple[str, int] = ("", 0)
    while True:
        rows = await db.execute_fetchall(
            f"{_QUOTA_ROWS} WHERE (target_kind, target_id) > (?, ?)"
            " ORDER BY target_kind, target_id LIMIT ?",
            (*after, PAGE),
        )
        if len(rows) == PAGE:  # the last owner's book may go on past the page
            last = (rows[-1][0], rows[-1][1])
            whole = [row for row in rows if (row[0], row[1]) != last]
            rows = whole or await db.execute_fetchall(
                f"{_QUOTA_ROWS} WHERE target_kind = ? AND target_id = ?", last
            )
        if not rows:
            return
        yield _books_of(rows)
        after = (rows[-1][0], rows[-1][1])


def _books_of(rows: Iterable[Any]) -> dict[tuple[str, int, str], Book]:
    books: dict[tuple[str, int, str], list[tuple[str, int]]] = defaultdict(list)
    for kind, target_id, program, period_key, value in rows:
        books[(kind, target_id, program)].append((period_key, value))
    return {owner: tuple(sorted(book)) for owner, book in books.items()}


async def _refresh_targets(db: Db) -> int:
    """Derive again the targets of changed quota books, in every materialised period,
    and the board rows of the members concerned."""
    [(stale_count,)] = await db.execute_fetchall("SELECT count(*) FROM stale_quotas")
    if not stale_count:
        return 0
    periods = [
        parse_period(key)
        for (key,) in await db.execute_fetchall("SELECT period_key FROM target_periods")
    ]
    if stale_count * len(periods) > RESET_AFTER:
        for table in (
            "stale_board_members",
            "board_rows",
            "board_lineage_sums",
            "board_combos",
            "period_targets",
            "unit_period_totals",
            "target_periods",
            "unit_member_targets",
            "member_target_periods",
        ):
            await db.execute(f"DELETE FROM {table}")
    elif periods:
        stale = await db.execute_fetchall(
            "SELECT target_kind, target_id, program FROM stale_quotas"
        )
        books = await _books(
            db,
            "JOIN stale_quotas s USING (target_kind, target_id, program)",
        )
        for kind, target_id, program in stale:
            book = books.get((kind, target_id, program), ())
            await db.executemany(
                "DELETE FROM period_targets WHERE period_key = ? AND target_kind = ?"
                " AND target_id = ? AND program = ?",
                [(period.key, kind, target_id, program) for period in periods],
            )
            await _insert_targets(
                db,
                (
                    (period.key, kind, target_id, program, _target(period, book))
                    for period in periods
                ),
            )
        members = {(target_id,) for kind, target_id, _ in stale if kind == "member"}
        await db.executemany(
            f"UPDATE board_rows SET target = {_TARGET_OF_ROW} WHERE member_id = ?", members
        )
        await db.executemany(  # after the targets: a target makes a lead listed
            f"UPDATE board_rows SET listed = {LISTED_OF_ROW} WHERE member_id = ?", members
        )
        if members:  # their units' sums of members' targets, in every period
            await db.execute("DELETE FROM member_target_periods")
    await db.execute("DELETE FROM stale_quotas")
    return int(stale_count)


async def _insert_targets(db: Db, rows: Iterable[tuple[str, str, int, str, int | None]]) -> None:
    await db.insert_rows(
        "period_targets",
        ("period_key", "target_kind", "target_id", "program", "target"),
        [row for row in rows if row[-1] is not None],
    )


async def _materialise_period(db: Db, period: Period) -> tuple[str, ...]:
    """Every target of the period, and its unit totals (which triggers keep from then)."""
    rows = await db.execute_fetchall(
        "INSERT INTO target_periods (period_key) VALUES (?) ON CONFLICT DO NOTHING"
        " RETURNING period_key",
        (period.key,),
    )
    if not rows:
        return ()  # already there, and kept current by _refresh_targets and the triggers
    await db.execute(
        "INSERT INTO unit_period_totals (period_key, unit_id, program, achieved, last_at)"
        " SELECT period_key, unit_id, program, sum(achieved), max(last_at) FROM entry_totals"
        " WHERE period_key = ? GROUP BY period_key, unit_id, program",
        (period.key,),
    )
    async for books in _book_pages(db):
        await _insert_targets(
            db,
            (
                (period.key, kind, target_id, program, _target(period, book))
                for (kind, target_id, program), book in books.items()
            ),
        )
    return await _filled(db, "period_targets", "unit_period_totals")


async def _sum_member_targets(db: Db, period_key: str) -> tuple[str, ...]:
    """The period's members' targets added up per unit (migration 0116), unless the
    sums are complete; the period's targets are materialised already."""
    rows = await db.execute_fetchall(
        "SELECT 1 FROM member_target_periods WHERE period_key = ?", (period_key,)
    )
    if rows:
        return ()
    await db.execute("DELETE FROM unit_member_targets WHERE period_key = ?", (period_key,))
    await db.execute(
        "INSERT INTO unit_member_targets (period_key, program, unit_id, target)"
        " SELECT q.period_key, q.program, m.unit_id, sum(q.target)"
        " FROM period_targets q JOIN members m ON m.id = q.target_id"
        " WHERE q.period_key = ? AND q.target_kind = 'member'"
        " GROUP BY q.period_key, q.program, m.unit_id",
        (period_key,),
    )
    await db.execute("INSERT INTO member_target_periods (period_key) VALUES (?)", (period_key,))
    return await _filled(db, "unit_member_targets")


async def _materialise_board(db: Db, period_key: str, programs: tuple[str, ...]) -> tuple[str, ...]:
    combo = combo_of(programs)
    rows = await db.execute_fetchall(
        "SELECT 1 FROM board_combos WHERE period_key = ? AND combo = ? LIMIT 1",
        (period_key, combo),
    )
    if rows:
        return ()
    await db.executemany(
        "INSERT INTO board_combos (period_key, combo, program) VALUES (?, ?, ?)",
        [(period_key, combo, program) for program in sorted(set(programs))],
    )
    # Every member, set-based: one pass over the period's totals and targets each.
    await db.execute(
        "INSERT INTO board_rows (period_key, combo, lineage, member_id, achieved, reached,"
        " target, name_key)"
        " SELECT :period, :combo, u.lineage, m.id, coalesce(t.achieved, 0), t.reached, q.target,"
        " coalesce(k.sort_key, '')"
        " FROM members m JOIN units u ON u.id = m.unit_id"
        " LEFT JOIN member_sort_names k ON k.member_id = m.id"
        " LEFT JOIN (SELECT member_id, sum(achieved) AS achieved, max(last_at) AS reached"
        f"   FROM entry_totals WHERE period_key = :period AND program IN ({_PROGRAMS})"
        "   GROUP BY member_id) t ON t.member_id = m.id"
        " LEFT JOIN (SELECT target_id, sum(target) AS target FROM period_targets"
        "   WHERE period_key = :period AND target_kind = 'member'"
        f"   AND program IN ({_PROGRAMS}) GROUP BY target_id) q ON q.target_id = m.id",
        {"period": period_key, "combo": combo},
    )
    await db.execute(  # rows with a target are listed (the default), others are looked at
        f"UPDATE board_rows SET listed = {LISTED_OF_ROW}"
        " WHERE period_key = ? AND combo = ? AND target IS NULL",
        (period_key, combo),
    )
    return await _filled(db, "board_rows", "board_lineage_sums")


async def _filled(db: Db, *tables: str) -> tuple[str, ...]:
    """`tables` were just written in bulk: their statistics now, for the statements
    that follow in this transaction; their vacuum after it (see `CaughtUp.filled`)."""
    await db.refresh_statistics(tables)
    return tables


# The programs of the (:period, :combo) being materialised.
_PROGRAMS = "SELECT program FROM board_combos WHERE period_key = :period AND combo = :combo"

# A board row's target: its member's targets of the combo's programs added up (NULL when
# none has one), as commands.boards.combined_target adds them.
_TARGET_OF_ROW = (
    "(SELECT sum(q.target) FROM period_targets q"
    " WHERE q.period_key = board_rows.period_key AND q.target_kind = 'member'"
    " AND q.target_id = board_rows.member_id AND q.program IN"
    " (SELECT c.program FROM board_combos c"
    "  WHERE c.period_key = board_rows.period_key AND c.combo = board_rows.combo))"
)

# Whether a board row's member is on the board (migration 0119): everyone but a lead or
# admin without any quota of the combo's programs (they lead; they are not ranked), as
# commands.boards.people_board decides.
LISTED_OF_ROW = (
    "CASE WHEN board_rows.target IS NOT NULL"
    " OR (SELECT m.role FROM members m WHERE m.id = board_rows.member_id)"
    "  NOT IN ('lead', 'admin')"
    " OR EXISTS (SELECT 1 FROM quotas q WHERE q.target_kind = 'member'"
    "  AND q.target_id = board_rows.member_id AND q.program IN"
    "  (SELECT c.program FROM board_combos c"
    "   WHERE c.period_key = board_rows.period_key AND c.combo = board_rows.combo))"
    " THEN 1 ELSE 0 END"
)

# A board row's entry totals: its member's, of the combo's programs, in its period.
_TOTALS_OF_ROW = (
    "FROM entry_totals t"
    " WHERE t.period_key = board_rows.period_key AND t.member_id = board_rows.member_id"
    " AND t.program IN (SELECT c.program FROM board_combos c"
    "  WHERE c.period_key = board_rows.period_key AND c.combo = board_rows.combo)"
)
