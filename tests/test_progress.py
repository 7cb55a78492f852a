"""Progress: floored completion, expected by today, pace and projection."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from tracker.percent import completion_hundredths
from tracker.periods import Period, parse_period
from tracker.progress import Pace, Progress, measure

NOVEMBER = parse_period("2026-11")  # 30 days


def half_up(value: Fraction) -> int:
    whole, rest = divmod(value.numerator, value.denominator)
    return whole + (1 if 2 * rest >= value.denominator else 0)


def nov(day: int) -> date:
    return date(2026, 11, day)


@pytest.mark.parametrize(
    ("achieved", "target", "hundredths"),
    [(999, 1000, 9990), (2, 3, 6666), (1, 3, 3333), (0, 30, 0), (30, 30, 10000),
     (45, 30, 15000), (1, 100_000, 0), (7, 7, 10000), (1609, 1577, 10202)],
)  # fmt: skip
def test_completion_floors_to_hundredths(achieved: int, target: int, hundredths: int) -> None:
    assert completion_hundredths(achieved, target) == hundredths
    assert measure(NOVEMBER, achieved, target, nov(15)).completion == hundredths


def test_no_target_means_no_percent() -> None:
    assert completion_hundredths(5, None) is None
    assert completion_hundredths(5, 0) is None


def test_target_none_leaves_only_achieved_and_projection() -> None:
    progress = measure(NOVEMBER, 6, None, nov(10))
    assert progress.target is None
    assert progress.percent is None
    assert progress.expected is None
    assert progress.pace is None
    assert progress.gap == 0
    assert progress.projection == 18  # 6 in 10 days -> 18 in 30
    assert not progress.reached


@pytest.mark.parametrize(
    ("today", "target", "expected"),
    [
        (nov(1), 30, 1),  # today counts as elapsed
        (nov(30), 30, 30),
        (nov(15), 30, 15),
        (nov(1), 10, 0),  # 1/3 rounds down
        (nov(1), 45, 2),  # 1.5 rounds up
        (nov(20), 7, half_up(Fraction(7 * 20, 30))),
        (date(2026, 10, 31), 30, 0),  # before the period
        (date(2027, 1, 5), 30, 30),  # after it
    ],
)
def test_expected_by_today(today: date, target: int, expected: int) -> None:
    assert measure(NOVEMBER, 0, target, today).expected == expected


def test_expected_in_a_quarter() -> None:
    quarter = parse_period("2026-Q4")  # 92 days; 15 November is day 31 + 15 = 46
    assert measure(quarter, 0, 92, nov(15)).expected == 46
    assert measure(quarter, 0, 100, nov(15)).expected == half_up(Fraction(100 * 46, 92)) == 50


@pytest.mark.parametrize(
    ("achieved", "pace", "gap"),
    [(25, Pace.AHEAD, 5), (20, Pace.ON_TRACK, 0), (12, Pace.BEHIND, 8), (0, Pace.BEHIND, 20)],
)
def test_pace_against_expected(achieved: int, pace: Pace, gap: int) -> None:
    progress = measure(NOVEMBER, achieved, 30, nov(20))  # expected 20 by the 20th
    assert progress.expected == 20
    assert progress.pace is pace
    assert progress.gap == gap


def test_pace_on_first_day() -> None:
    assert measure(NOVEMBER, 0, 30, nov(1)).pace is Pace.BEHIND
    assert measure(NOVEMBER, 1, 30, nov(1)).pace is Pace.ON_TRACK
    assert measure(NOVEMBER, 0, 10, nov(1)).pace is Pace.ON_TRACK  # expected rounds to 0


def test_projection_first_middle_and_last_day() -> None:
    assert measure(NOVEMBER, 3, 30, nov(1)).projection == 90
    assert measure(NOVEMBER, 7, 30, nov(20)).projection == half_up(Fraction(7 * 30, 20)) == 11
    assert measure(NOVEMBER, 4, 30, nov(20)).projection == 6
    assert measure(NOVEMBER, 17, 30, nov(30)).projection == 17


def test_period_in_the_future() -> None:
    progress = measure(parse_period("2026-12"), 0, 31, nov(20))
    assert progress.expected == 0
    assert progress.projection == 0
    assert progress.pace is Pace.ON_TRACK
    assert measure(parse_period("2026-12"), 2, 31, nov(20)).projection == 2


def test_period_in_the_past_counts_every_day() -> None:
    october = parse_period("2026-10")
    progress = measure(october, 25, 31, nov(20))
    assert progress.expected == 31
    assert progress.projection == 25
    assert progress.pace is Pace.BEHIND
    assert progress.gap == 6
    assert progress.completion == 8064  # 25 / 31 = 80,645%


@pytest.mark.parametrize(
    ("achieved", "target", "reached"),
    [(30, 30, True), (31, 30, True), (29, 30, False), (5, None, False), (0, 0, False),
     (3, 0, False)],
)  # fmt: skip
def test_reached(achieved: int, target: int | None, reached: bool) -> None:
    assert measure(NOVEMBER, achieved, target, nov(20)).reached is reached


def test_progress_keeps_its_inputs() -> None:
    period: Period = parse_period("2026-W48")
    progress = measure(period, 4, 7, date(2026, 11, 25))  # Wednesday: day 3 of 7
    assert progress == Progress(
        period=period,
        achieved=4,
        target=7,
        completion=5714,
        expected=3,
        pace=Pace.AHEAD,
        gap=1,
        projection=half_up(Fraction(4 * 7, 3)),
    )
