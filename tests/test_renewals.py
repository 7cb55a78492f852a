"""The pure rules of participants who stay: paid-until, renewals, lapses, counts, growth."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.sqlite import SQLiteRepository
from tracker.participants import TERMS
from tracker.renewals import (
    CountChanges,
    DueWindow,
    Growth,
    RenewalKind,
    RenewalPlan,
    add_months,
    growth,
    is_lapsed,
    paid_until,
    paired_renewal,
    plan_renewal,
    retention_hundredths,
    roll_forward,
    same_date_last_year,
)


@pytest.mark.parametrize(
    ("start", "term", "until"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # month end: clamped
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # from a leap day
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # across the year end
        (date(2026, 3, 31), 3, date(2026, 6, 30)),
        (date(2026, 11, 15), 60, date(2031, 11, 15)),  # the longest term, 5 years
        (date(2027, 2, 28), 12, date(2028, 2, 28)),  # not stretched to the leap day
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_paid_until_counts_calendar_months(start: date, term: int, until: date) -> None:
    assert paid_until(start, term) == until


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 120))
def test_months_add_up_within_a_month_end(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + timedelta(days=1)).day == 1)


def test_renewal_before_due_continues_the_cover() -> None:
    plan = plan_renewal(date(2026, 12, 15), date(2026, 12, 1), 6)
    assert plan == RenewalPlan(RenewalKind.EARLY, date(2026, 12, 15), date(2027, 6, 15))
    assert plan.retained
    on_the_day = plan_renewal(date(2026, 12, 15), date(2026, 12, 15), 1)
    assert on_the_day.kind is RenewalKind.EARLY


def test_renewal_after_due_within_grace_pays_the_months_missed() -> None:
    plan = plan_renewal(date(2026, 9, 30), date(2026, 11, 20), 6)
    assert plan == RenewalPlan(RenewalKind.LATE, date(2026, 9, 30), date(2027, 3, 30))
    assert plan.retained


def test_lapse_exactly_at_the_grace_boundary() -> None:
    until = date(2026, 8, 1)
    boundary = until + timedelta(days=90)  # 30/10/2026
    assert boundary == date(2026, 10, 30)
    assert not is_lapsed(until, boundary)
    assert is_lapsed(until, boundary + timedelta(days=1))
    assert plan_renewal(until, boundary, 6).kind is RenewalKind.LATE
    rejoin = plan_renewal(until, boundary + timedelta(days=1), 6)
    assert rejoin == RenewalPlan(RenewalKind.REJOIN, date(2026, 10, 31), date(2027, 4, 30))
    assert not rejoin.retained
    assert is_lapsed(until, until + timedelta(days=11), grace_days=10)  # configured grace


def test_due_window_lists_the_next_30_days_and_the_grace() -> None:
    window = DueWindow.around(date(2026, 11, 29))
    assert (window.first, window.last) == (date(2026, 8, 31), date(2026, 12, 29))
    assert date(2026, 12, 29) in window and date(2026, 12, 30) not in window
    assert date(2026, 8, 31) in window and date(2026, 8, 30) not in window


def test_renewed_by_collection_record_and_by_hand_counts_once() -> None:
    # A hand renewal on 20/11; the collection file records the payment on 02/12.
    typed = [(7, date(2026, 11, 20))]
    assert paired_renewal(date(2026, 12, 2), typed) == 7
    # The nearest of several, the older on a tie; too far apart: two payments.
    both = [(3, date(2026, 10, 1)), (4, date(2026, 11, 25)), (5, date(2026, 12, 9))]
    assert paired_renewal(date(2026, 12, 2), both) == 4
    tie = [(9, date(2026, 11, 25)), (8, date(2026, 12, 9))]
    assert paired_renewal(date(2026, 12, 2), tie) == 8
    assert paired_renewal(date(2027, 3, 1), typed) is None
    assert paired_renewal(date(2026, 12, 2), []) is None


def test_counts_roll_forward_from_an_imported_figure() -> None:
    changes = CountChanges(new=46, rejoined=5) + CountChanges(lapsed=12)
    assert changes == CountChanges(46, 5, 12)
    assert roll_forward(14_817, changes) == 14_856
    assert roll_forward(14_817, CountChanges()) == 14_817
    assert roll_forward(3, CountChanges(lapsed=10)) == 0  # never below nobody


def test_growth_against_the_same_date_last_year() -> None:
    assert growth(15_525, 14_817) == Growth(708, 477)  # tăng 708 người, 4,77%
    assert growth(2_069, 1_591) == Growth(478, 3004)  # 30,04%
    assert growth(14_000, 14_817) == Growth(-817, 551)  # giảm 5,51%
    assert growth(120, None) is None  # last year has no data
    assert growth(120, 0) == Growth(120, None)
    assert same_date_last_year(date(2028, 2, 29)) == date(2027, 2, 28)
    assert same_date_last_year(date(2026, 11, 29)) == date(2025, 11, 29)


def test_retention_rate_is_renewed_over_fallen_due() -> None:
    assert retention_hundredths(3, 4) == 7500
    assert retention_hundredths(2, 3) == 6666  # floored
    assert retention_hundredths(0, 5) == 0
    assert retention_hundredths(0, 0) is None


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """The migrated schema, for the paid-until column storage computes itself."""
    path = tmp_path_factory.mktemp("schema") / "quota.db"
    asyncio.run(_migrated(path))
    db = sqlite3.connect(path, isolation_level=None)
    yield db
    db.close()


async def _migrated(path: Path) -> None:
    repo = await SQLiteRepository.open(path)
    await repo.close()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.sampled_from(TERMS)),
        min_size=1,
        max_size=20,
    )
)
def test_stored_paid_until_follows_the_rule(
    schema: sqlite3.Connection, terms: list[tuple[date, int]]
) -> None:
    schema.execute("BEGIN")
    try:
        for day, term in terms:
            schema.execute(
                "INSERT INTO entries (member_id, unit_id, program, day, count, channel,"
                " created_at, term_months) VALUES (1, 1, 'TN', ?, 1, 'console', '', ?)",
                (day.isoformat(), term),
            )
        rows = schema.execute("SELECT day, term_months, paid_until FROM entries ORDER BY id")
        for day_text, term, until in rows:
            assert until == paid_until(date.fromisoformat(day_text), term).isoformat()
    finally:
        schema.execute("ROLLBACK")
