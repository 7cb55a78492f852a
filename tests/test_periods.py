"""Plan periods: calendar arithmetic, keys, and the Vietnamese day boundary."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.periods import (
    InvalidPeriod,
    PeriodKind,
    local_day,
    parse_period,
    period_containing,
    sub_periods,
)

MONTH, QUARTER, WEEK, YEAR = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.WEEK, PeriodKind.YEAR


def span(key: str) -> tuple[date, date]:
    period = parse_period(key)
    return period.first, period.last


@pytest.mark.parametrize(
    ("key", "last", "days"),
    [
        ("2026-01", date(2026, 1, 31), 31),
        ("2026-04", date(2026, 4, 30), 30),
        ("2026-11", date(2026, 11, 30), 30),
        ("2026-12", date(2026, 12, 31), 31),
        ("2026-02", date(2026, 2, 28), 28),
        ("2024-02", date(2024, 2, 29), 29),
        ("2028-02", date(2028, 2, 29), 29),
        ("2100-02", date(2100, 2, 28), 28),  # divisible by 100, not by 400: not leap
        ("2000-02", date(2000, 2, 29), 29),  # divisible by 400: leap
    ],
)
def test_month_ends(key: str, last: date, days: int) -> None:
    period = parse_period(key)
    assert period.first == last.replace(day=1)
    assert period.last == last
    assert period.days == days
    assert period.kind is MONTH


def test_year_lengths() -> None:
    assert parse_period("2026").days == 365
    assert parse_period("2028").days == 366
    assert parse_period("2100").days == 365


def test_iso_week_53() -> None:
    assert span("2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    assert parse_period("2026-W53").days == 7
    assert parse_period("2026-W53").next().key == "2027-W01"
    assert parse_period("2027-W01").previous().key == "2026-W53"
    with pytest.raises(InvalidPeriod):
        parse_period("2027-W53")


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2027, 1, 1), "2026-W53"),
        (date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (date(2025, 12, 28), "2025-W52"),
        (date(2025, 12, 29), "2026-W01"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2026, 11, 23), "2026-W48"),
    ],
)
def test_week_keys_at_year_boundaries(day: date, key: str) -> None:
    week = period_containing(WEEK, day)
    assert week.key == key
    assert week.first.weekday() == 0  # Monday
    assert week.last.weekday() == 6  # Sunday
    assert day in week


def test_quarter_boundaries() -> None:
    assert period_containing(QUARTER, date(2026, 3, 31)).key == "2026-Q1"
    assert period_containing(QUARTER, date(2026, 4, 1)).key == "2026-Q2"
    assert period_containing(QUARTER, date(2026, 12, 31)).key == "2026-Q4"
    assert span("2026-Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert span("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2026-Q1").days == 31 + 28 + 31
    assert parse_period("2028-Q1").days == 31 + 29 + 31


@pytest.mark.parametrize(
    "key", ["2026", "2000", "2100", "2026-Q1", "2026-Q4", "2026-01", "2026-12", "2028-02",
            "2026-W01", "2026-W48", "2026-W53", "2020-W53", "2027-W52"],
)  # fmt: skip
def test_parse_period_round_trip(key: str) -> None:
    assert parse_period(key).key == key


def test_parse_period_is_forgiving_about_case_and_spaces() -> None:
    assert parse_period(" 2026-w48 ").key == "2026-W48"
    assert parse_period("2026-q4").key == "2026-Q4"


@pytest.mark.parametrize(
    "key", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-W00", "2026-W54", "abc", "", "26",
            "2026-1", "2026-11-20"],
)  # fmt: skip
def test_invalid_keys(key: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_period(key)


def expected_span(kind: PeriodKind, day: date) -> tuple[date, date]:
    """The period's first and last day, computed from the calendar module."""
    if kind is WEEK:
        monday = day - timedelta(days=day.isoweekday() - 1)
        return monday, monday + timedelta(days=6)
    if kind is MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if kind is QUARTER:
        start = 3 * ((day.month - 1) // 3) + 1
        end = date(day.year, start + 2, calendar.monthrange(day.year, start + 2)[1])
        return date(day.year, start, 1), end
    return date(day.year, 1, 1), date(day.year, 12, 31)


def expected_key(kind: PeriodKind, day: date) -> str:
    if kind is WEEK:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if kind is MONTH:
        return f"{day.year}-{day.month:02d}"
    if kind is QUARTER:
        return f"{day.year}-Q{(day.month + 2) // 3}"
    return str(day.year)


@given(
    kind=st.sampled_from(list(PeriodKind)),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
)
def test_every_period_round_trips(kind: PeriodKind, day: date) -> None:
    period = period_containing(kind, day)
    assert (period.first, period.last) == expected_span(kind, day)
    assert period.key == expected_key(kind, day)
    assert parse_period(period.key) == period
    assert day in period
    assert period.next().first == period.last + timedelta(days=1)
    assert period.previous().last == period.first - timedelta(days=1)
    assert period.next().previous() == period


def test_next_and_previous_cross_years() -> None:
    assert parse_period("2026-12").next().key == "2027-01"
    assert parse_period("2027-01").previous().key == "2026-12"
    assert parse_period("2026-Q4").next().key == "2027-Q1"
    assert parse_period("2026-Q1").previous().key == "2025-Q4"
    assert parse_period("2026").next().key == "2027"


def test_elapsed_days() -> None:
    november = parse_period("2026-11")
    assert november.elapsed_days(date(2026, 10, 31)) == 0
    assert november.elapsed_days(date(2026, 11, 1)) == 1  # today counts as elapsed
    assert november.elapsed_days(date(2026, 11, 20)) == 20
    assert november.elapsed_days(date(2026, 11, 30)) == 30
    assert november.elapsed_days(date(2027, 5, 1)) == 30


def test_overlap_days() -> None:
    week = parse_period("2026-W49")  # Mon 30 Nov .. Sun 6 Dec 2026
    assert week.overlap_days(parse_period("2026-11")) == 1
    assert week.overlap_days(parse_period("2026-12")) == 6
    assert week.overlap_days(parse_period("2026-10")) == 0
    assert parse_period("2026-W53").overlap_days(parse_period("2026")) == 4
    assert parse_period("2026-W53").overlap_days(parse_period("2027")) == 3
    assert parse_period("2026").overlap_days(parse_period("2026-Q2")) == 30 + 31 + 30


def test_contains_only_dates() -> None:
    november = parse_period("2026-11")
    assert date(2026, 11, 30) in november
    assert date(2026, 12, 1) not in november
    assert "2026-11-15" not in november


def test_sub_periods() -> None:
    months = sub_periods(parse_period("2026-Q4"), MONTH)
    assert [m.key for m in months] == ["2026-10", "2026-11", "2026-12"]
    quarters = sub_periods(parse_period("2026"), QUARTER)
    assert [q.key for q in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert len(sub_periods(parse_period("2026"), MONTH)) == 12
    # Weeks that *start* inside November 2026: 2 Nov .. 30 Nov (W49 starts on the 30th).
    weeks = sub_periods(parse_period("2026-11"), WEEK)
    assert [w.first for w in weeks] == [date(2026, 11, d) for d in (2, 9, 16, 23, 30)]


VIETNAM_OFFSET = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (datetime(2026, 11, 30, 16, 59, 59, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2026, 11, 30, 17, 0, 0, tzinfo=UTC), date(2026, 12, 1)),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), date(2026, 12, 31)),  # 23:30 local
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), date(2027, 1, 1)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=VIETNAM_OFFSET), date(2026, 12, 31)),
        (datetime(2026, 12, 31, 12, 0, tzinfo=timezone(timedelta(hours=-5))), date(2027, 1, 1)),
    ],
)
def test_local_day_is_vietnamese(instant: datetime, day: date) -> None:
    assert local_day(instant) == day


def test_local_day_moves_the_period_at_new_year() -> None:
    late_evening = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    past_midnight = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert period_containing(YEAR, local_day(late_evening)).key == "2026"
    assert period_containing(YEAR, local_day(past_midnight)).key == "2027"
    assert period_containing(MONTH, local_day(past_midnight)).key == "2027-01"


def test_local_day_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        local_day(datetime(2026, 11, 30, 12, 0))


def test_period_order_follows_first_day() -> None:
    periods = [parse_period(k) for k in ("2026-12", "2026-01", "2026-11")]
    assert [p.key for p in sorted(periods)] == ["2026-01", "2026-11", "2026-12"]
