"""Kept enrolment sums (migration 0121, storage/sqlite_enrolments.py) equal the entries.

`enrolments` adds up entries and renewals of any run of days: the rule. A lead's report
reads `period_enrolments`, from the period's kept unit totals less the rejoining
participants kept per unit and day. Random entries (new, rejoining, not said; undone,
rejected, confirmed again), rejoin renewals and member moves are written through the
repository on each backend; then the kept rows are compared with a recount from the
entries, and both readings are compared for every unit, period and day asked.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.counts import scope_counts, unit_counts
from storage.backends import open_repository
from storage.renewals_repository import NewRenewal
from storage.repository import Repository, StaffRow
from storage.store_base import StoreBase
from tests.conftest import Databases
from tracker.models import Channel, EntryState, NewEntry, Role
from tracker.participant_counts import CountRow
from tracker.participants import HashedParticipant
from tracker.periods import parse_period

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
UNITS = ("Tỉnh", "Tỉnh / Cơ sở A", "Tỉnh / Cơ sở A / Xã 1", "Tỉnh / Cơ sở B")
PERIODS = ("2026-11", "2026-10", "2026-W48", "2026-W47", "2026-Q4", "2026")
GRACE_DAYS = 30
LAPSE_GRACE = 5  # counts on days a month apart see lapses of one-month terms
# Official figures: a unit's count at the end of September or October, or mid-month (the
# run from it is read from entries until the month ends), by the unit's place.
FIGURE_DAYS = (
    (date(2026, 9, 30), date(2026, 10, 31)), (date(2026, 10, 31),),
    (date(2026, 10, 31), date(2026, 11, 12)), (date(2026, 9, 30),),
)  # fmt: skip


@dataclass(frozen=True)
class Logged:
    person: int
    program: str
    count: int
    days_back: int
    rejoin: bool | None
    after: str
    """What happens to it next: nothing, undone, rejected, rejected then confirmed."""


logged = st.builds(
    Logged,
    person=st.integers(0, 3),
    program=st.sampled_from(["TN", "YT"]),
    count=st.integers(1, 3),
    days_back=st.sampled_from([0, 0, 1, 2, 9, 23, 30, 40]),
    rejoin=st.sampled_from([None, False, True, True]),
    after=st.sampled_from(["", "", "", "undo", "reject", "reject-confirm"]),
)


def phone(index: int) -> str:
    return f"09130{index:05d}"


@contextlib.asynccontextmanager
async def new_repository(databases: Databases) -> AsyncIterator[Repository]:
    """A new empty database of the test's backend, open, dropped afterwards."""
    url = databases.new()
    repo = await open_repository(url)
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret("test-secret")
    try:
        yield repo
    finally:
        await repo.close()
        databases.drop(url)


async def write(repo: Repository, units: list[int], made: list[Logged], tag: str) -> None:
    lead = await repo.member_by_phone(phone(9))
    assert lead is not None
    for number, entry in enumerate(made):
        member = await repo.member_by_phone(phone(entry.person))
        assert member is not None
        day = TODAY - timedelta(days=entry.days_back)
        at = datetime(day.year, day.month, day.day, 3, number % 60, tzinfo=UTC)
        new = NewEntry(
            member.id, member.unit_id, entry.program, day, entry.count, Channel.CONSOLE, at,
            f"{tag}{number}",
        )  # fmt: skip
        hashed = HashedParticipant(f"{tag}-{number}", "123", 1, entry.rejoin)
        stored = (await repo.add_detailed_entry(new, hashed)).entry
        if entry.after == "undo":
            await repo.undo_last_entry(member.id, day, at, None)
        elif entry.after.startswith("reject"):
            await repo.review_entry(
                stored.id, None, EntryState.REJECTED, (EntryState.REPORTED,), lead.id, "x", at
            )
            if entry.after == "reject-confirm":
                await repo.review_entry(
                    stored.id, None, EntryState.CONFIRMED, (EntryState.REJECTED,), lead.id,
                    None, at,
                )  # fmt: skip
        if entry.rejoin and entry.days_back >= 30:  # paid for a month, back after the grace
            renewed = TODAY + timedelta(days=entry.days_back % 3)
            await repo.record_renewal(
                NewRenewal(
                    f"{tag}-{number}", "123", entry.program, renewed, 1, NOW,
                    member.id, units[entry.person % len(units)],
                ),
                GRACE_DAYS - 25,
            )  # fmt: skip


async def kept_rows(repo: Repository) -> set[tuple[int, str, str, int, int]]:
    """unit_day_rejoins, and the same recounted from entries and renewals."""
    kept = await repo._all(  # type: ignore[attr-defined]
        "SELECT unit_id, program, day, entries, renewals FROM unit_day_rejoins"
        " WHERE entries <> 0 OR renewals <> 0"
    )
    recount = await repo._all(  # type: ignore[attr-defined]
        "SELECT unit_id, program, day, sum(entries), sum(renewals) FROM ("
        " SELECT unit_id, program, day, count AS entries, 0 AS renewals FROM entries"
        " WHERE rejoin = 1 AND state IN ('reported', 'confirmed')"
        " UNION ALL SELECT unit_id, program, day, 0, 1 FROM renewals WHERE kind = 'rejoin'"
        ") AS rejoins GROUP BY unit_id, program, day"
    )
    assert {tuple(row) for row in kept} == {tuple(row) for row in recount}
    return {tuple(row) for row in kept}


async def assert_readings_agree(repo: Repository, units: list[int], materialise: bool) -> None:
    for key in PERIODS:
        period = parse_period(key)
        for unit_id in units:
            if materialise:  # a unit board materialises the period's unit totals
                await repo.folded_units(unit_id, period, ("TN", "YT"))
            for as_of in {TODAY - timedelta(days=1), TODAY, period.last, period.first}:
                through = min(as_of, period.last)
                expected = await repo.enrolments(unit_id, period.first - timedelta(days=1), through)
                got = await repo.period_enrolments(unit_id, period, as_of)
                assert got == {p: f for p, f in expected.items() if f != (0, 0)}, (key, as_of)


async def assert_counts_agree(repo: Repository, units: list[int]) -> None:
    """A unit's own count rolled forward from kept sums (`scope_counts`) is the one
    `unit_counts` rolls forward for every unit from the events of each day."""
    for unit_id in units:
        for after in (date(2026, 9, 30), date(2026, 10, 31), TODAY - timedelta(days=9)):
            for through in (TODAY - timedelta(days=1), TODAY):
                expected = await repo.enrolments(unit_id, after, through)
                got = await repo.kept_enrolments(unit_id, after, through)
                assert got == {p: f for p, f in expected.items() if f != (0, 0)}, (after, through)
        own = await repo.own_count_figures(unit_id)
        for day in (TODAY - timedelta(days=1), TODAY, TODAY - timedelta(days=25)):
            every = await unit_counts(repo, unit_id, day, LAPSE_GRACE)
            expected_counts = {p: count for (unit, p), count in every.items() if unit == unit_id}
            assert await scope_counts(repo, unit_id, day, LAPSE_GRACE, own) == expected_counts


async def check(databases: Databases, people: list[int], before: list[Logged],
                after: list[Logged], moves: list[tuple[int, int]]) -> None:  # fmt: skip
    async with new_repository(databases) as repo:
        staff = [StaffRow(i, UNITS[unit], f"Cán bộ {i}", phone(i), Role.AGENT)
                 for i, unit in enumerate(people)]  # fmt: skip
        staff.append(StaffRow(9, UNITS[0], "Lãnh đạo", phone(9), Role.LEAD))
        await repo.import_staff(staff)
        units = [unit.id for unit in await repo.subtree_units(1)]
        await write(repo, units, before, "b")
        await kept_rows(repo)
        await assert_readings_agree(repo, units, materialise=False)
        await assert_readings_agree(repo, units, materialise=True)
        for person, unit in moves:  # entries stay with the unit they were logged in
            staff_row = StaffRow(0, UNITS[unit], f"Cán bộ {person}", phone(person), Role.AGENT)
            await repo.import_staff([staff_row])
        units = [unit.id for unit in await repo.subtree_units(1)]
        await write(repo, units, after, "a")
        await kept_rows(repo)
        await assert_readings_agree(repo, units, materialise=True)
        places = {unit.path: place for place, unit in enumerate(await repo.subtree_units(1))}
        figures = [
            CountRow(1, path, program, day, 100 + place)
            for path, place in places.items()
            for day in FIGURE_DAYS[place % len(FIGURE_DAYS)]
            for program in ("TN", "YT")
        ]
        await repo.import_participant_counts(figures, NOW)
        await assert_counts_agree(repo, units)


_EXAMPLES = {"sqlite": 30, "postgres": 6}


def test_kept_enrolments_equal_the_entries(databases: Databases) -> None:
    """On each backend (the `backend` fixture)."""

    @settings(
        max_examples=_EXAMPLES[databases.backend],
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        people=st.lists(st.integers(0, len(UNITS) - 1), min_size=4, max_size=4),
        before=st.lists(logged, max_size=14),
        after=st.lists(logged, max_size=6),
        moves=st.lists(st.tuples(st.integers(0, 3), st.integers(0, len(UNITS) - 1)), max_size=2),
    )
    def example(
        people: list[int], before: list[Logged], after: list[Logged], moves: list[tuple[int, int]]
    ) -> None:
        asyncio.run(check(databases, people, before, after, moves))

    example()


async def late_log_in_one_unit(databases: Databases) -> None:
    async with new_repository(databases) as repo:
        staff = [StaffRow(0, UNITS[2], "Cán bộ 0", phone(0), Role.AGENT),
                 StaffRow(1, UNITS[3], "Cán bộ 1", phone(1), Role.AGENT),
                 StaffRow(9, UNITS[0], "Lãnh đạo", phone(9), Role.LEAD)]  # fmt: skip
        await repo.import_staff(staff)
        # Both units log on the 20th; Cơ sở B logs again today, after the day asked.
        both = [Logged(0, "TN", 2, 3, None, ""), Logged(1, "TN", 3, 3, None, "")]
        await write(repo, [], both, "a")
        await write(repo, [], [Logged(1, "TN", 5, 0, None, "")], "b")
        period = parse_period("2026-11")
        await repo.folded_units(1, period, ("TN", "YT"))  # materialises the period's totals
        asked = TODAY - timedelta(days=1)
        assert await repo.period_enrolments(1, period, asked) == {"TN": (5, 0)}
        # Xã 1 logged nothing after the day asked: its kept total is read, not its
        # entries (a country with one late commune read every entry of the period). The
        # kept total is made to differ from the entries here to show which one is read.
        [xa] = [unit.id for unit in await repo.subtree_units(1) if unit.name == "Xã 1"]
        assert isinstance(repo, StoreBase)
        await repo._write(
            "UPDATE unit_period_totals SET achieved = achieved + 100 WHERE unit_id = ?", (xa,)
        )
        assert await repo.period_enrolments(1, period, asked) == {"TN": (105, 0)}
        assert await repo.period_enrolments(1, period, TODAY) == {"TN": (110, 0)}


def test_only_units_that_logged_after_the_day_asked_are_read_from_entries(
    databases: Databases,
) -> None:
    """On each backend: a unit that logged after the day asked does not send the whole
    scope back to its entries (issue 15: 4.6 s for a country at 10M entries)."""
    asyncio.run(late_log_in_one_unit(databases))


async def second_root_added(databases: Databases) -> None:
    async with new_repository(databases) as repo:
        lead = StaffRow(9, UNITS[0], "Lãnh đạo", phone(9), Role.LEAD)
        await repo.import_staff([StaffRow(0, UNITS[2], "Cán bộ 0", phone(0), Role.AGENT), lead])
        await write(repo, [], [Logged(0, "TN", 2, 1, None, "")], "a")
        period = parse_period("2026-11")
        await repo.folded_units(1, period, ("TN", "YT"))  # materialises the period's totals
        assert await repo.period_enrolments(1, period, TODAY) == {"TN": (2, 0)}
        # A second root, with entries of its own, after this process read the first root
        # as the whole database: the first root's figures stay its own.
        await repo.import_staff([StaffRow(1, "Tỉnh khác / Xã 9", "Cán bộ 1", phone(1), Role.AGENT)])
        await write(repo, [], [Logged(1, "TN", 7, 1, None, "")], "b")
        assert await repo.period_enrolments(1, period, TODAY) == {"TN": (2, 0)}
        assert await repo.period_enrolments(1, period, TODAY) == {"TN": (2, 0)}  # known now
        [other] = [unit for unit in await repo.root_units() if unit.name == "Tỉnh khác"]
        assert await repo.period_enrolments(other.id, period, TODAY) == {"TN": (7, 0)}


def test_a_root_beside_another_root_counts_only_its_own_subtree(databases: Databases) -> None:
    """On each backend: a root is read as the whole database only while it is one; the
    statement that reads it so says in the same snapshot whether it still is."""
    asyncio.run(second_root_added(databases))
