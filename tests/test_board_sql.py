"""Boards ranked in SQL (storage/sqlite_board_view.py) equal the pure ranking.

`leaderboards.ranking.rank` over `people_board` (targets derived in Python from the
quota books, totals from entry_totals) is the reference. Random organisations are
written through the repository, boards are read once (which materialises them), then
changed (entries, undos, moves, renames, quotas, a newcomer) and read again, so both
the SQL ranking and the upkeep of `board_rows` are checked.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.boards import UnitBoard, combined_target, people_board, people_view, unit_board
from leaderboards.ranking import (
    Leaderboard,
    Standing,
    rank,
    ranked_run,
    window,
)
from leaderboards.units import Credit, unit_rows
from storage import board_cache, sqlite_board_view
from storage.backends import open_repository
from storage.board_view_repository import UnitBoardParts
from storage.leads_repository import QuotaTarget
from storage.people_slice_sql import BUCKET_OF
from storage.repository import QuotaRow, StaffRow
from storage.sqlite import SQLiteRepository
from tests.conftest import Databases
from tracker.models import Channel, NewEntry, Role, TargetKind, Unit
from tracker.periods import Period, parse_period

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday: week 48 starts, week 47 ended
# Four levels under the province, so that a unit board folds plans below plans below
# its children (a plan on Tổ 1 and on Xã 1, seen from the province).
UNITS = (
    "Tỉnh", "Tỉnh / Cơ sở A", "Tỉnh / Cơ sở A / Xã 1", "Tỉnh / Cơ sở B",
    "Tỉnh / Cơ sở A / Xã 1 / Tổ 1",
)  # fmt: skip
# Same names, names equal but for accents, Đ and đ: ties are ordered by name.
NAMES = (
    "Nguyễn Văn An", "Nguyễn Văn An", "Nguyen Van An", "Đặng Thị Bình", "Dương Minh Châu",
    "Lê Thị Ánh", "Lê Thị Anh", "Ưng Văn Phúc", "Uông Thị Hà", "đỗ thị lan",
)  # fmt: skip
PERIODS = ("2026-11", "2026-W48", "2026-W47", "2026-Q4", "2026")
PROGRAMS = (("TN",), ("YT",), ("TN", "YT"))
# Quota books: small November targets (1/2 and 2/4 tie on percent, not on achieved),
# yearly and quarterly ones to derive from, and books that cover none of the periods
# asked (a lead with one is listed; a lead with none is not).
QUOTAS = (
    (),
    (("2026", 0),),
    (("2026", 12),),
    (("2026", 120),),
    (("2026-11", 2),),
    (("2026-11", 4),),
    (("2026-11", 0),),
    (("2026-Q4", 9), ("2026-11", 2)),
    (("2026", 240), ("2026-12", 30)),
    (("2026-12", 30),),
    (("2025", 100),),
)


@dataclass(frozen=True)
class Person:
    unit: int
    name: str
    role: Role
    quotas: dict[str, tuple[tuple[str, int], ...]]


@dataclass(frozen=True)
class Entry:
    person: int
    program: str
    count: int
    minute: int
    """Minutes after NOW: few, so people often reach their count at the same instant."""
    days_back: int
    undo: bool
    """Undo this person's last entry right after (voids it: it stops counting)."""


@dataclass(frozen=True)
class Change:
    person: int
    move_to: int | None
    rename: str | None
    role: Role | None
    """A new role: a lead without a quota leaves the board, an agent joins it."""
    quota: tuple[str, tuple[tuple[str, int | None], ...]] | None


people = st.builds(
    Person,
    unit=st.integers(0, len(UNITS) - 1),
    name=st.sampled_from(NAMES),
    role=st.sampled_from([Role.OFFICER, Role.AGENT, Role.AGENT, Role.LEAD, Role.ADMIN]),
    quotas=st.fixed_dictionaries({"TN": st.sampled_from(QUOTAS), "YT": st.sampled_from(QUOTAS)}),
)
entries = st.builds(
    Entry,
    person=st.integers(0, 11),
    program=st.sampled_from(["TN", "YT"]),
    count=st.integers(1, 3),
    minute=st.integers(0, 2),
    days_back=st.integers(0, 2),
    undo=st.sampled_from([False, False, False, True]),
)
changes = st.builds(
    Change,
    person=st.integers(0, 11),
    move_to=st.none() | st.integers(0, len(UNITS) - 1),
    rename=st.none() | st.sampled_from(NAMES),
    role=st.none() | st.sampled_from([Role.AGENT, Role.LEAD]),
    quota=st.none()
    | st.tuples(
        st.sampled_from(["TN", "YT"]),
        st.sampled_from(
            [(("2026", None),), (("2026", 60),), (("2026-11", 1),), (("2026-11", None),)]
        ),
    ),
)
unit_quotas = st.lists(
    st.tuples(
        st.integers(0, len(UNITS) - 1), st.sampled_from(["TN", "YT"]), st.sampled_from(QUOTAS[1:])
    ),
    max_size=3,
)


def phone(index: int) -> str:
    return f"09120{index:05d}"


async def unit_board_reference(
    repo: SQLiteRepository, scope: Unit, period: Period, programs: tuple[str, ...]
) -> UnitBoard:
    """/donvi as it was computed before board_rows: every target derived in Python, each
    program apart, then added up."""
    units = await repo.subtree_units(scope.id)
    totals = await repo.unit_totals(scope.id, period.key)
    unit_books = await repo.subtree_quota_books(TargetKind.UNIT, scope.id)
    member_books = await repo.subtree_quota_books(TargetKind.MEMBER, scope.id)
    members = await repo.subtree_members(scope.id)
    parts = []
    for code in programs:
        credits = [
            Credit(total.key, total.achieved, total.last_at)
            for total in totals
            if total.program == code and total.last_at is not None
        ]
        unit_quotas = {
            unit_id: target
            for unit_id, books in unit_books.items()
            if (target := combined_target(period, books, (code,))) is not None
        }
        by_unit: dict[int, int] = {}
        for member in members:
            target = combined_target(period, member_books.get(member.id, {}), (code,))
            if target is not None:
                by_unit[member.unit_id] = by_unit.get(member.unit_id, 0) + target
        parts.append(UnitBoardParts(credits, unit_quotas, list(by_unit.items())))
    rows = unit_rows(scope.id, units, parts)
    return UnitBoard(
        rank(row.standing for row in rows), {row.standing.key: row.target for row in rows}
    )


async def assert_boards_agree(
    repo: SQLiteRepository,
    scope: Unit,
    period: Period,
    programs: tuple[str, ...],
    top: int,
    around: int,
) -> None:
    expected = await people_board(repo, scope, period, programs)
    board = expected.board
    for member in await repo.subtree_members(1):  # askers inside the scope and outside it
        got = await people_view(
            repo, scope, period, programs, member.id, top=top, around=around, unranked=3
        )
        assert got.window == window(board, member.id, top, around)
        assert got.top == board.ranked[:top]
        assert got.ranked_count == len(board.order)
        assert got.unranked == board.unranked[:3]
        assert got.own == board.line_of(member.id)
        assert (got.achieved_total, got.target_total) == (
            expected.achieved_total,
            expected.target_total,
        )
    whole = await people_view(repo, scope, period, programs, 1, top=1000, unranked=1000)
    assert whole.top == board.ranked
    assert whole.unranked == board.unranked
    await assert_lineage_sums_kept(repo)
    await assert_rank_buckets_kept(repo)
    assert await unit_board(repo, scope, period, programs) == await unit_board_reference(
        repo, scope, period, programs
    )


async def assert_lineage_sums_kept(repo: SQLiteRepository) -> None:
    """The counts and totals kept per lineage (0122) equal a recount of the board rows
    (which the boards above check against the pure ranking)."""
    kept = await repo._all(
        "SELECT period_key, combo, lineage, ranked, achieved, target FROM board_lineage_sums"
        " WHERE ranked <> 0 OR achieved <> 0 OR target <> 0"
    )
    recount = await repo._all(
        "SELECT period_key, combo, lineage, count(rank_key),"
        " sum(CASE WHEN listed = 1 THEN achieved ELSE 0 END),"
        " sum(CASE WHEN listed = 1 THEN coalesce(target, 0) ELSE 0 END)"
        " FROM board_rows GROUP BY period_key, combo, lineage"
    )
    assert {tuple(row) for row in kept} == {tuple(row) for row in recount if any(row[3:])}


async def assert_rank_buckets_kept(repo: SQLiteRepository) -> None:
    """PostgreSQL's counts per rank bucket (0137) equal a recount of the board rows in
    the buckets the whole board's statement reads; SQLite keeps none."""
    kept = await repo._all(
        "SELECT period_key, combo, bucket, ranked, achieved, target FROM board_rank_buckets"
        " WHERE ranked <> 0 OR achieved <> 0 OR target <> 0"
    )
    if not repo.KEEPS_PLANS:
        assert kept == []
        return
    recount = await repo._all(
        f"SELECT period_key, combo, coalesce({BUCKET_OF.format(key='rank_key')}, '~'),"
        " count(rank_key), sum(CASE WHEN listed = 1 THEN achieved ELSE 0 END),"
        " sum(CASE WHEN listed = 1 THEN coalesce(target, 0) ELSE 0 END)"
        " FROM board_rows GROUP BY 1, 2, 3"
    )
    assert {tuple(row) for row in kept} == {tuple(row) for row in recount if any(row[3:])}


# What the board property tests draw: a team, quotas, entries before and after edits.
_BOARD_CASES = given(
    team=st.lists(people, min_size=1, max_size=12),
    units_quotas=unit_quotas,
    before=st.lists(entries, max_size=25),
    after=st.lists(entries, max_size=10),
    edits=st.lists(changes, max_size=4),
    newcomer=st.none() | people,
    query=st.tuples(
        st.integers(0, len(UNITS) - 1),
        st.sampled_from(PERIODS),
        st.sampled_from(PROGRAMS),
        st.sampled_from([1, 3, 10]),
        st.sampled_from([0, 1, 2]),
    ),
)

# (share, reset_after, from_back_after): walk the rank index (share 0) or sort the
# scope's range; count the asker's place from the front (2.0: never from the back) or
# from the back of the order (-1.0: always, when walking).
_SCOPE_CHOICES = pytest.mark.parametrize(
    ("share", "reset_after", "from_back_after"),
    [(0.0, board_cache.RESET_AFTER, 2.0), (0.0, board_cache.RESET_AFTER, -1.0), (2.0, 0, 2.0)],
    ids=[
        "rank-index-walk, place-counted-by-walk, targets-updated",
        "rank-index-walk, place-counted-from-the-back",
        "range-sort, place-counted-over-range, reset-after-quota-change",
    ],
)


# Examples per backend: each one on PostgreSQL is a new database on the server.
_EXAMPLES = {"sqlite": 100, "postgres": 12}


@_SCOPE_CHOICES
def test_sql_boards_equal_the_pure_ranking(
    databases: Databases,
    monkeypatch: pytest.MonkeyPatch,
    share: float,
    reset_after: int,
    from_back_after: float,
) -> None:
    """On each backend (the `backend` fixture), with unit plans among the quotas."""

    @settings(
        max_examples=_EXAMPLES[databases.backend],
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @_BOARD_CASES
    def example(
        team: list[Person],
        units_quotas: list[tuple[int, str, tuple[tuple[str, int], ...]]],
        before: list[Entry],
        after: list[Entry],
        edits: list[Change],
        newcomer: Person | None,
        query: tuple[int, str, tuple[str, ...], int, int],
    ) -> None:
        asyncio.run(
            check_boards_equal_the_pure_ranking(
                databases,
                monkeypatch,
                share,
                reset_after,
                from_back_after,
                team,
                units_quotas,
                before,
                after,
                edits,
                newcomer,
                query,
            )
        )

    example()


async def check_boards_equal_the_pure_ranking(
    databases: Databases,
    monkeypatch: pytest.MonkeyPatch,
    share: float,
    reset_after: int,
    from_back_after: float,
    team: list[Person],
    units_quotas: list[tuple[int, str, tuple[tuple[str, int], ...]]],
    before: list[Entry],
    after: list[Entry],
    edits: list[Change],
    newcomer: Person | None,
    query: tuple[int, str, tuple[str, ...], int, int],
) -> None:
    monkeypatch.setattr(sqlite_board_view, "LARGE_SCOPE_SHARE", share)
    monkeypatch.setattr(sqlite_board_view, "WHOLE_SCOPE_SHARE", share)
    monkeypatch.setattr(board_cache, "RESET_AFTER", reset_after)
    monkeypatch.setattr(sqlite_board_view, "FROM_BACK_AFTER", from_back_after)
    scope_index, period_key, programs, top, around = query
    period = parse_period(period_key)
    url = databases.new()
    repo = await open_repository(url)
    try:
        await repo.import_staff(
            [StaffRow(i, UNITS[p.unit], p.name, phone(i), p.role) for i, p in enumerate(team)]
        )
        quota_rows = [
            QuotaRow(0, TargetKind.MEMBER, phone(i), program, key, value)
            for i, person in enumerate(team)
            for program, book in person.quotas.items()
            for key, value in book
        ]
        quota_rows += [
            QuotaRow(0, TargetKind.UNIT, UNITS[unit], program, key, value)
            for unit, program, book in units_quotas
            if await repo.unit_by_path(UNITS[unit]) is not None  # someone works there
            for key, value in book
        ]
        await repo.import_quotas(quota_rows, NOW)
        await log(repo, team, before, "b")
        # A unit exists once someone is in it or under it (the province always does).
        found = [await repo.unit_by_path(path) for path in UNITS[scope_index::-1]]
        scope = next(unit for unit in found if unit is not None)
        await assert_boards_agree(repo, scope, period, programs, top, around)

        await change(repo, team, edits, newcomer)
        await log(repo, team, after, "a")
        await assert_boards_agree(repo, scope, period, programs, top, around)
        # Entries outside the scope were left marked by its board: the province's
        # board recounts them.
        province = await repo.unit(1)
        await assert_boards_agree(repo, province, period, programs, top, around)
    finally:
        await repo.close()
        databases.drop(url)


async def log(repo: SQLiteRepository, team: list[Person], made: list[Entry], tag: str) -> None:
    for number, entry in enumerate(made):
        member = await repo.member_by_phone(phone(entry.person % len(team)))
        assert member is not None
        logged = NOW + timedelta(minutes=entry.minute)
        day = NOW.date() - timedelta(days=entry.days_back)
        await repo.add_entry(
            NewEntry(
                member.id, member.unit_id, entry.program, day, entry.count,
                Channel.CONSOLE, logged, f"{tag}{number}",
            )
        )  # fmt: skip
        if entry.undo:
            await repo.undo_last_entry(member.id, date(2026, 11, 23), logged, None)


async def change(
    repo: SQLiteRepository, team: list[Person], edits: list[Change], newcomer: Person | None
) -> None:
    for edit in edits:
        index = edit.person % len(team)
        member = await repo.member_by_phone(phone(index))
        assert member is not None
        if edit.move_to is not None or edit.rename is not None or edit.role is not None:
            unit = (await repo.unit(member.unit_id)).path
            if edit.move_to is not None:
                unit = UNITS[edit.move_to]
            role = edit.role or member.role
            await repo.import_staff(
                [StaffRow(0, unit, edit.rename or member.name, member.phone, role)]
            )
        if edit.quota is not None:
            program, values = edit.quota
            target = QuotaTarget(TargetKind.MEMBER, member.id, member.unit_id, member.name)
            await repo.change_quotas(target, program, dict(values), member.id, NOW)
    if newcomer is not None:
        row = StaffRow(0, UNITS[newcomer.unit], newcomer.name, phone(99), newcomer.role)
        await repo.import_staff([row])
        await repo.import_quotas(
            [
                QuotaRow(0, TargetKind.MEMBER, phone(99), program, key, value)
                for program, book in newcomer.quotas.items()
                for key, value in book
            ],
            NOW,
        )


standings = st.builds(
    Standing.of,
    key=st.integers(1, 40),
    name=st.sampled_from(NAMES),
    achieved=st.integers(0, 4),
    target=st.none() | st.integers(0, 4),
    reached_at=st.none() | st.sampled_from([NOW, NOW + timedelta(minutes=1)]),
)


@given(
    board=st.lists(standings, unique_by=lambda s: s.key).map(rank),
    cut=st.tuples(st.integers(0, 40), st.integers(0, 40)),
)
def test_any_run_of_a_board_ranks_from_its_first_rank(
    board: Leaderboard, cut: tuple[int, int]
) -> None:
    """What `people_view` relies on: given the rank of a run's first row, ranking the
    run alone gives the board's ranks."""
    start, length = cut
    run = board.ranked[start : start + length]
    if run:
        assert ranked_run(run[0].rank, start, [row.standing for row in run]) == run


async def test_boards_follow_entry_totals_rebuilt_from_entries(tmp_path: Path) -> None:
    """entry_totals can always be rebuilt from entries (0002); the boards follow it."""
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    try:
        team = [
            Person(2, name, Role.AGENT, {"TN": (("2026", 120),), "YT": ()}) for name in NAMES[:4]
        ]
        await repo.import_staff(
            [StaffRow(i, UNITS[p.unit], p.name, phone(i), p.role) for i, p in enumerate(team)]
        )
        await repo.import_quotas(
            [QuotaRow(0, TargetKind.MEMBER, phone(i), "TN", "2026", 120) for i in range(4)], NOW
        )
        made = [Entry(i % 4, "TN", 1 + i % 3, i % 2, 0, False) for i in range(7)]
        await log(repo, team, made, "e")
        province = await repo.unit(1)
        month = parse_period("2026-11")
        before = await people_view(repo, province, month, ("TN",), 1)
        with closing(sqlite3.connect(tmp_path / "quota.db")) as db, db:  # one transaction
            rows = db.execute("SELECT * FROM entry_totals").fetchall()
            db.execute("DELETE FROM entry_totals")
            db.executemany(f"INSERT INTO entry_totals VALUES ({', '.join('?' * 6)})", rows)
        assert await people_view(repo, province, month, ("TN",), 1) == before
        await assert_boards_agree(repo, province, month, ("TN",), 10, 2)
    finally:
        await repo.close()


async def test_a_role_change_takes_a_member_off_the_board_and_back(databases: Databases) -> None:
    """A lead without a quota is not on the board (board rows keep `listed`, 0119): made
    a lead, the agent's line and count leave the board; made an agent again, they return."""
    url = databases.new()
    repo = await open_repository(url)
    try:
        await repo.import_staff(
            [
                StaffRow(0, UNITS[2], "Nguyễn Văn An", phone(0), Role.AGENT),
                StaffRow(1, UNITS[2], "Lê Thị Ánh", phone(1), Role.AGENT),
            ]
        )
        await repo.import_quotas(
            [QuotaRow(0, TargetKind.MEMBER, phone(0), "TN", "2026-11", 4)], NOW
        )
        team = [Person(2, name, Role.AGENT, {}) for name in NAMES[:2]]
        await log(repo, team, [Entry(0, "TN", 1, 0, 0, False), Entry(1, "TN", 2, 0, 0, False)], "r")
        province = await repo.unit(1)
        month = parse_period("2026-11")
        an = await repo.member_by_phone(phone(0))
        assert an is not None

        async def unranked_and_totals() -> tuple[list[tuple[str, int]], int, int]:
            view = await people_view(repo, province, month, ("TN",), an.id)
            names = [(s.name, s.achieved) for s in view.unranked]
            return names, view.achieved_total, view.target_total

        assert await unranked_and_totals() == ([("Lê Thị Ánh", 2)], 3, 4)
        await repo.import_staff([StaffRow(0, UNITS[2], "Lê Thị Ánh", phone(1), Role.LEAD)])
        assert await unranked_and_totals() == ([], 1, 4)
        await repo.import_staff([StaffRow(0, UNITS[2], "Lê Thị Ánh", phone(1), Role.AGENT)])
        assert await unranked_and_totals() == ([("Lê Thị Ánh", 2)], 3, 4)
    finally:
        await repo.close()
        databases.drop(url)


@pytest.mark.parametrize("scope_index", [0, 1])
def test_unit_board_folds_plans_below_plans(
    databases: Databases, monkeypatch: pytest.MonkeyPatch, scope_index: int
) -> None:
    """Seen from the province and from Cơ sở A, Xã 1 and its Tổ 1 both have plans: Tổ 1
    folds into Xã 1 (its nearest planned ancestor), not into the child above both, so
    the child's target counts Xã 1's plan once and Tổ 1's not at all."""
    where = [(1, NAMES[0]), (2, NAMES[3]), (4, NAMES[5]), (3, NAMES[7])]
    team = [
        Person(unit, name, Role.AGENT, {"TN": (("2026-11", 2 + unit),), "YT": ()})
        for unit, name in where
    ]
    plans = [(2, "TN", (("2026-11", 9),)), (4, "TN", (("2026-11", 5),))]
    logged = [Entry(person, "TN", 1 + person, 0, 0, False) for person in range(len(team))]
    asyncio.run(
        check_boards_equal_the_pure_ranking(
            databases, monkeypatch, 0.0, board_cache.RESET_AFTER, 2.0, team, plans, logged, [], [],
            None, (scope_index, "2026-11", ("TN",), 10, 2),
        )
    )  # fmt: skip
