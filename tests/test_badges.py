"""Badges: earned from entries on the day of the entry, taken back when it is voided."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from leaderboards.badges import (
    Badge,
    BadgeCode,
    EntryFact,
    Streaks,
    crossed_monthly_quota,
    earned_badges,
    streaks,
)
from leaderboards.ranking import RankedRow, Standing
from tracker.models import Channel, Entry, EntryState
from tracker.periods import PeriodKind

# Tết Bính Ngọ: public servants are off Saturday 14 to Sunday 22 February 2026, so the
# whole ISO week 2026-W08 (Monday 16 to Sunday 22) has no working day.
TET_2026 = frozenset(date(2026, 2, 14) + timedelta(days=offset) for offset in range(9))
NO_QUOTAS: dict[str, dict[str, int]] = {}


def entry(day: date, count: int = 1, program: str = "TN", *, hour: int = 2) -> EntryFact:
    return EntryFact(
        day, count, program, True, datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    )


def voided(fact: EntryFact) -> EntryFact:
    return replace(fact, counting=False)


def codes(badges: list[Badge], code: BadgeCode) -> list[tuple[date, str | None]]:
    return [(badge.earned_on, badge.period) for badge in badges if badge.code is code]


def mondays(*iso_weeks: int) -> list[EntryFact]:
    return [entry(date.fromisocalendar(2026, week, 1)) for week in iso_weeks]


# --- First enrollment, the minimum of 3, the 10+ club ----------------------------


def test_first_enrollment_is_the_earliest_dated_entry_and_moves_when_voided() -> None:
    # Logged on 12 March but dated back to 8 March: the day it is dated counts.
    backdated = EntryFact(date(2026, 3, 8), 1, "YT", True, datetime(2026, 3, 12, tzinfo=UTC))
    later = entry(date(2026, 3, 10))
    badges = earned_badges([later, backdated], NO_QUOTAS, date(2026, 3, 12))
    assert codes(badges, BadgeCode.FIRST_ENROLLMENT) == [(date(2026, 3, 8), None)]
    badges = earned_badges([later, voided(backdated)], NO_QUOTAS, date(2026, 3, 12))
    assert codes(badges, BadgeCode.FIRST_ENROLLMENT) == [(date(2026, 3, 10), None)]
    assert earned_badges([voided(later)], NO_QUOTAS, date(2026, 3, 12)) == []


def test_the_minimum_of_three_counted_month_by_month_when_configured() -> None:
    entries = [
        entry(date(2026, 3, 2), 2),
        entry(date(2026, 3, 9), 1, "YT"),  # all programs together
        entry(date(2026, 3, 20), 5),  # already earned this month
        entry(date(2026, 4, 28), 2),
        entry(date(2026, 5, 1), 1),  # April's 2 and May's 1 do not add up
    ]
    badges = earned_badges(entries, NO_QUOTAS, date(2026, 5, 31), count_over=PeriodKind.MONTH)
    assert codes(badges, BadgeCode.MINIMUM_3) == [(date(2026, 3, 9), "2026-03")]


def test_the_minimum_of_three_and_the_ten_club_count_over_the_year() -> None:
    # The usual plan of "3 trở lên" a year: 2 in each of five months.
    entries = [entry(date(2026, month, 3), 2) for month in (7, 8, 9, 10, 11)]
    badges = earned_badges(entries, NO_QUOTAS, date(2026, 11, 23))
    assert codes(badges, BadgeCode.MINIMUM_3) == [(date(2026, 8, 3), "2026")]
    assert codes(badges, BadgeCode.CLUB_10) == [(date(2026, 11, 3), "2026")]
    by_month = earned_badges(entries, NO_QUOTAS, date(2026, 11, 23), count_over=PeriodKind.MONTH)
    assert codes(by_month, BadgeCode.MINIMUM_3) == codes(by_month, BadgeCode.CLUB_10) == []


def test_the_ten_club_and_voiding_the_entry_that_earned_it() -> None:
    entries = [entry(date(2026, 3, 2), 4), entry(date(2026, 3, 9), 5), entry(date(2026, 3, 20), 3)]
    badges = earned_badges(entries, NO_QUOTAS, date(2026, 3, 31))
    assert codes(badges, BadgeCode.CLUB_10) == [(date(2026, 3, 20), "2026")]
    assert codes(badges, BadgeCode.MINIMUM_3) == [(date(2026, 3, 2), "2026")]
    entries[2] = voided(entries[2])
    assert codes(earned_badges(entries, NO_QUOTAS, date(2026, 3, 31)), BadgeCode.CLUB_10) == []


def test_entries_dated_after_today_do_not_count_yet() -> None:
    badges = earned_badges([entry(date(2026, 3, 5), 3)], NO_QUOTAS, date(2026, 3, 4))
    assert badges == []


# --- Quotas met -------------------------------------------------------------------


def test_quota_met_for_a_week_a_month_and_a_quarter() -> None:
    # A yearly 365 derives 7 a week, 31 for March and 90 for the first quarter.
    quotas = {"TN": {"2026": 365}}
    entries = [
        entry(date(2026, 1, 5), 30),  # W02 met; January (31) not yet
        entry(date(2026, 1, 30), 1),  # January met
        entry(date(2026, 3, 2), 6),
        entry(date(2026, 3, 2), 1, hour=9),  # W10 met by the later entry of the day
        entry(date(2026, 3, 3), 9, "YT"),  # another program: no quota, nothing
        entry(date(2026, 3, 27), 52),  # Q1: 31 + 7 + 52 = 90
    ]
    badges = earned_badges(entries, quotas, date(2026, 3, 31))
    assert [(b.code, b.earned_on, b.period, b.program) for b in badges if b.program] == [
        (BadgeCode.QUOTA_WEEK, date(2026, 1, 5), "2026-W02", "TN"),
        (BadgeCode.QUOTA_MONTH, date(2026, 1, 30), "2026-01", "TN"),
        (BadgeCode.QUOTA_WEEK, date(2026, 3, 2), "2026-W10", "TN"),
        (BadgeCode.QUOTA_WEEK, date(2026, 3, 27), "2026-W13", "TN"),
        (BadgeCode.QUOTA_MONTH, date(2026, 3, 27), "2026-03", "TN"),
        (BadgeCode.QUOTA_QUARTER, date(2026, 3, 27), "2026-Q1", "TN"),
    ]


def test_no_quota_badge_without_a_quota_or_with_a_zero_one() -> None:
    entries = [entry(date(2026, 3, 2), 50)]
    for quotas in ({}, {"TN": {"2026-03": 0}}):
        badges = earned_badges(entries, quotas, date(2026, 3, 31))
        assert not [badge for badge in badges if badge.program]


def test_crossing_a_monthly_quota_is_celebrated_once() -> None:
    assert crossed_monthly_quota(9, 10, 10)
    assert crossed_monthly_quota(5, 12, 10)
    assert not crossed_monthly_quota(10, 11, 10)  # already there before this entry
    assert not crossed_monthly_quota(8, 9, 10)
    assert not crossed_monthly_quota(0, 3, None)
    assert not crossed_monthly_quota(0, 3, 0)


# --- Streaks ----------------------------------------------------------------------


def test_four_weeks_in_a_row_earn_the_streak_on_the_fourth_weeks_first_entry() -> None:
    badges = earned_badges(mondays(2, 3, 4, 5), NO_QUOTAS, date(2026, 2, 3))
    assert codes(badges, BadgeCode.STREAK) == [(date(2026, 1, 26), "2026-W05")]
    assert (
        codes(earned_badges(mondays(2, 3, 4), NO_QUOTAS, date(2026, 2, 3)), BadgeCode.STREAK) == []
    )


def test_an_empty_week_breaks_the_streak_but_the_week_under_way_does_not() -> None:
    entries = mondays(2, 3, 4, 5)
    assert streaks(entries, date(2026, 2, 7)) == Streaks(longest=4, current=4)  # W06 under way
    assert streaks(entries, date(2026, 2, 10)) == Streaks(longest=4, current=0)  # W06 was empty
    assert streaks([], date(2026, 2, 10)) == Streaks(0, 0)


def test_a_week_with_only_a_voided_entry_is_empty() -> None:
    entries = mondays(2, 3, 5, 6)
    entries.append(voided(entry(date(2026, 1, 20))))  # W04
    assert streaks(entries, date(2026, 2, 3)) == Streaks(longest=2, current=2)


def test_the_tet_week_neither_breaks_nor_extends_a_streak() -> None:
    entries = mondays(5, 6, 7, 9)  # nothing in the Tết week W08
    assert streaks(entries, date(2026, 2, 24), TET_2026) == Streaks(longest=4, current=4)
    badges = earned_badges(entries, NO_QUOTAS, date(2026, 2, 24), holidays=TET_2026)
    assert codes(badges, BadgeCode.STREAK) == [(date(2026, 2, 23), "2026-W09")]


def test_without_the_holidays_the_tet_week_breaks_the_streak() -> None:
    entries = mondays(5, 6, 7, 9)
    assert streaks(entries, date(2026, 2, 24)) == Streaks(longest=3, current=1)
    assert codes(earned_badges(entries, NO_QUOTAS, date(2026, 2, 24)), BadgeCode.STREAK) == []


def test_working_through_tet_counts_as_a_week() -> None:
    entries = [*mondays(5, 6, 7), entry(date(2026, 2, 18))]
    badges = earned_badges(entries, NO_QUOTAS, date(2026, 2, 24), holidays=TET_2026)
    assert codes(badges, BadgeCode.STREAK) == [(date(2026, 2, 18), "2026-W08")]


def test_a_week_with_a_working_day_left_is_not_a_holiday_week() -> None:
    # 30 April and 1 May 2026 are Thursday and Friday: W18 still has three working days.
    reunification = {date(2026, 4, 30), date(2026, 5, 1)}
    entries = mondays(15, 16, 17, 19)
    assert streaks(entries, date(2026, 5, 5), reunification) == Streaks(longest=3, current=1)


def test_each_streak_earns_its_own_badge() -> None:
    entries = mondays(2, 3, 4, 5, 6, 8, 9, 10, 11)
    badges = earned_badges(entries, NO_QUOTAS, date(2026, 3, 10))
    assert codes(badges, BadgeCode.STREAK) == [
        (date(2026, 1, 26), "2026-W05"),
        (date(2026, 3, 9), "2026-W11"),
    ]
    assert streaks(entries, date(2026, 3, 10)) == Streaks(longest=5, current=4)


# --- Top 3 of a month --------------------------------------------------------------


def row(rank: int, achieved: int, reached_at: datetime | None) -> RankedRow:
    return RankedRow(rank, Standing.of(7, "Lê Thị Hoa", achieved, 10, reached_at))


def test_top_three_of_a_finished_month_dated_by_the_last_entry_in_vietnam() -> None:
    # 18:30 UTC on 27 February is 01:30 on the 28th in Hà Nội.
    month_rows = {
        "2026-01": row(4, 9, datetime(2026, 1, 30, tzinfo=UTC)),  # 4th: no podium
        "2026-02": row(3, 8, datetime(2026, 2, 27, 18, 30, tzinfo=UTC)),
        "2026-03": row(1, 5, datetime(2026, 3, 2, tzinfo=UTC)),  # March is not over
    }
    badges = earned_badges([], NO_QUOTAS, date(2026, 3, 3), month_rows=month_rows)
    assert badges == [Badge(BadgeCode.TOP_3_MONTH, date(2026, 2, 28), "2026-02")]


def test_a_podium_reached_by_a_backdated_entry_stays_in_its_month() -> None:
    month_rows = {"2026-02": row(2, 8, datetime(2026, 3, 2, 3, tzinfo=UTC))}
    badges = earned_badges([], NO_QUOTAS, date(2026, 3, 3), month_rows=month_rows)
    assert badges == [Badge(BadgeCode.TOP_3_MONTH, date(2026, 2, 28), "2026-02")]


def test_first_among_people_who_did_nothing_is_no_podium() -> None:
    month_rows = {"2026-02": row(1, 0, None)}
    assert earned_badges([], NO_QUOTAS, date(2026, 3, 3), month_rows=month_rows) == []


# --- From stored entries -----------------------------------------------------------


def test_a_stored_entry_counts_unless_rejected_or_voided() -> None:
    stored = Entry(
        id=1,
        member_id=7,
        unit_id=4,
        program="TN",
        day=date(2026, 3, 2),
        count=2,
        channel=Channel.SMS,
        state=EntryState.CONFIRMED,
        created_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    assert EntryFact.of(stored, term_months=12) == EntryFact(
        date(2026, 3, 2), 2, "TN", True, datetime(2026, 3, 2, tzinfo=UTC), 12
    )
    for state in (EntryState.REJECTED, EntryState.VOIDED):
        assert not EntryFact.of(replace(stored, state=state)).counting
