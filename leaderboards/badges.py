"""Badges, worked out again from the entries each time: voiding an entry can take one back.

Decisions a lead may ask about:
- The caller passes one calendar year of a member's entries, so badges start afresh
  each year, like the emulation score. Only counting entries dated up to `today` count.
- A badge is earned on the local day of the entry that earned it (`EntryFact.day`, the
  day the enrollment is dated, back-dated or not). Period badges are earned again in
  every period that qualifies; each one names its period (and program for quotas).
- "Đạt tối thiểu 3" (the minimum of 3) means at least 3 participants in one calendar
  year, all programs together, as the practice counts the usual plan of "3 trở lên"; the
  10+ club means 10 in the year. Both count over `count_over` (config/rules.toml,
  `[badges] count_over`, "year" by default, "month" to count them month by month).
- Quota met for a week, month or quarter: per program, against its target (own or
  derived, see tracker.quotas); earned by the entry that brings the period to target.
- Streak: consecutive ISO weeks with at least one enrollment; reaching `min_weeks`
  (4) earns the badge once per streak. The week under way never breaks a streak (it
  is not over). A week whose working days (Mon-Fri) are all holidays, like the Tết
  week 2026-W08 (16-22 Feb 2026), is skipped: empty, it neither breaks nor extends a
  streak; worked, it counts. Nobody should lose a streak for a week the office was shut.
- Top 3 of a month: rank 3 or better, with something achieved, on the finished
  month's board of the member's unit subtree; earned on the local day the member's
  last counting entry of that month came in (it made their final standing), at the
  latest the month's last day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from leaderboards.ranking import RankedRow
from tracker.models import COUNTING_STATES, Entry
from tracker.periods import PeriodKind, local_day, parse_period, period_containing
from tracker.quotas import QuotaBook, target_for

MINIMUM_COUNT = 3
CLUB_COUNT = 10
STREAK_MIN_WEEKS = 4
TOP_RANKS = 3


class BadgeCode(StrEnum):
    FIRST_ENROLLMENT = "first_enrollment"
    MINIMUM_3 = "minimum_3"
    CLUB_10 = "club_10"
    QUOTA_WEEK = "quota_week"
    QUOTA_MONTH = "quota_month"
    QUOTA_QUARTER = "quota_quarter"
    STREAK = "streak"
    TOP_3_MONTH = "top_3_month"


_QUOTA_BADGES = {
    PeriodKind.WEEK: BadgeCode.QUOTA_WEEK,
    PeriodKind.MONTH: BadgeCode.QUOTA_MONTH,
    PeriodKind.QUARTER: BadgeCode.QUOTA_QUARTER,
}


@dataclass(frozen=True)
class EntryFact:
    """What badges (and emulation scoring) need to know of one entry."""

    day: date
    """The local day the enrollment is dated."""
    count: int
    program: str
    counting: bool
    """False for a rejected or voided entry, or a participant already counted this year."""
    created_at: datetime
    term_months: int | None = None

    @classmethod
    def of(cls, entry: Entry, term_months: int | None = None) -> EntryFact:
        """The fact of a stored entry; a rejected or voided one does not count."""
        counting = entry.state in COUNTING_STATES
        return cls(entry.day, entry.count, entry.program, counting, entry.created_at, term_months)


@dataclass(frozen=True)
class Badge:
    code: BadgeCode
    earned_on: date
    period: str | None = None
    """The period key it was earned for: `2026-03`, `2026-W08`, `2026-Q1`."""
    program: str | None = None
    """For quota badges: the program whose quota was met."""


@dataclass(frozen=True)
class Streaks:
    longest: int
    current: int
    """The streak still alive: it ends this week or, while this week is empty, last week."""


def crossed_monthly_quota(before: int, after: int, target: int | None) -> bool:
    """Whether the entry that took a month from `before` to `after` reached 100%.

    The caller celebrates it in the team group and records that it did, so an entry
    voided and logged again does not celebrate the same month twice.
    """
    return target is not None and target > 0 and before < target <= after


def _in_order(entries: Iterable[EntryFact], today: date) -> list[EntryFact]:
    return sorted(
        (entry for entry in entries if entry.counting and entry.day <= today),
        key=lambda entry: (entry.day, entry.created_at),
    )


def _crossings(
    entries: list[EntryFact], goal: int, code: BadgeCode, period_kind: PeriodKind
) -> list[Badge]:
    """One badge per period of `period_kind` whose running total reaches `goal`."""
    totals: dict[str, int] = defaultdict(int)
    badges = []
    for entry in entries:
        key = period_containing(period_kind, entry.day).key
        before = totals[key]
        totals[key] += entry.count
        if before < goal <= totals[key]:
            badges.append(Badge(code, entry.day, key))
    return badges


def _quota_badges(entries: list[EntryFact], quotas: Mapping[str, QuotaBook]) -> list[Badge]:
    badges = []
    for kind, code in _QUOTA_BADGES.items():
        totals: dict[tuple[str, str], int] = defaultdict(int)
        targets: dict[tuple[str, str], int | None] = {}
        for entry in entries:
            period = period_containing(kind, entry.day)
            key = (entry.program, period.key)
            if key not in targets:
                targets[key] = target_for(period, quotas.get(entry.program, {}))
            before = totals[key]
            totals[key] += entry.count
            target = targets[key]
            if target is not None and target > 0 and before < target <= totals[key]:
                badges.append(Badge(code, entry.day, period.key, entry.program))
    return badges


def _week_index(day: date) -> int:
    # Mondays are 7 ordinals apart (and all ≡ 1 mod 7), so this numbers ISO weeks 1, 2, 3...
    return (day - timedelta(days=day.weekday())).toordinal() // 7


def _holiday_weeks(holidays: Collection[date]) -> set[int]:
    weeks = set()
    for day in holidays:
        monday = day - timedelta(days=day.weekday())
        if all(monday + timedelta(days=offset) in holidays for offset in range(5)):
            weeks.add(_week_index(monday))
    return weeks


def _walk_streaks(
    entries: list[EntryFact], today: date, holidays: Collection[date], min_weeks: int
) -> tuple[Streaks, list[Badge]]:
    first_day_of_week: dict[int, date] = {}
    for entry in entries:
        first_day_of_week.setdefault(_week_index(entry.day), entry.day)
    if not first_day_of_week:
        return Streaks(0, 0), []
    skipped = _holiday_weeks(holidays)
    this_week = _week_index(today)
    run = longest = 0
    badges = []
    for week in range(min(first_day_of_week), this_week + 1):
        earned_on = first_day_of_week.get(week)
        if earned_on is not None:
            run += 1
            longest = max(longest, run)
            if run == min_weeks:
                key = period_containing(PeriodKind.WEEK, earned_on).key
                badges.append(Badge(BadgeCode.STREAK, earned_on, key))
        elif week not in skipped and week != this_week:
            run = 0
    return Streaks(longest, run), badges


def streaks(
    entries: Iterable[EntryFact],
    today: date,
    holidays: Collection[date] = frozenset(),
    min_weeks: int = STREAK_MIN_WEEKS,
) -> Streaks:
    """The longest streak of weeks with an enrollment, and the one still alive."""
    return _walk_streaks(_in_order(entries, today), today, frozenset(holidays), min_weeks)[0]


def _top_badges(month_rows: Mapping[str, RankedRow], today: date) -> list[Badge]:
    badges = []
    for month_key, row in month_rows.items():
        reached_at = row.standing.reached_at
        if row.rank > TOP_RANKS or row.standing.achieved <= 0 or reached_at is None:
            continue  # everyone tied at nothing shares rank 1: that is no podium
        month = parse_period(month_key)
        if month.last >= today:
            continue  # the month is not over: its ranks still move
        # An entry logged on the 2nd, dated back into the month, still earns it in the month.
        earned_on = min(local_day(reached_at), month.last)
        badges.append(Badge(BadgeCode.TOP_3_MONTH, earned_on, month_key))
    return badges


def earned_badges(
    entries: Iterable[EntryFact],
    quotas: Mapping[str, QuotaBook],
    today: date,
    *,
    holidays: Collection[date] = frozenset(),
    month_rows: Mapping[str, RankedRow] | None = None,
    min_streak_weeks: int = STREAK_MIN_WEEKS,
    count_over: PeriodKind = PeriodKind.YEAR,
) -> list[Badge]:
    """Every badge the entries earn as of `today`, oldest first.

    `quotas`: the member's quota book per program. `holidays`: days off (Tết...).
    `month_rows`: month key -> the member's row on that month's board of their unit
    subtree, for the months where they were ranked.
    """
    ordered = _in_order(entries, today)
    badges: list[Badge] = []
    if ordered:
        badges.append(Badge(BadgeCode.FIRST_ENROLLMENT, ordered[0].day))
    badges += _crossings(ordered, MINIMUM_COUNT, BadgeCode.MINIMUM_3, count_over)
    badges += _crossings(ordered, CLUB_COUNT, BadgeCode.CLUB_10, count_over)
    badges += _quota_badges(ordered, quotas)
    badges += _walk_streaks(ordered, today, frozenset(holidays), min_streak_weeks)[1]
    badges += _top_badges(month_rows or {}, today)
    order = {code: index for index, code in enumerate(BadgeCode)}
    return sorted(badges, key=lambda badge: (badge.earned_on, order[badge.code]))
