"""Plan periods: ISO weeks, months, quarters and years, as calendar days in Vietnam.

Every period is a closed range of local calendar days. Instants are converted to a
Vietnamese calendar day once, at the edge (`local_day`), so the rest of the code
never meets a time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# Finest first: the order in which a missing quota looks outward for one to derive from.
KINDS_FINEST_FIRST = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)

_KEY_PATTERNS = {
    PeriodKind.WEEK: re.compile(r"^(\d{4})-W(\d{2})$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
}


# The years a person could mean: a plan, an entry or a board outside them is a typo (`/bxh
# 0001-W01`, `/tiendo 9999`), and a key of year 1 (`1-W01`) would not even parse back.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class InvalidPeriod(ValueError):
    """A period key that names no real period (e.g. `2026-13`, `2026-W54`)."""


class PeriodOutOfRange(InvalidPeriod):
    """A real period, but in a year nobody could mean (before FIRST_YEAR, after LAST_YEAR)."""


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def check_in_range(period: Period) -> Period:
    """`period` itself when it has a day in FIRST_YEAR..LAST_YEAR (1999-W52 holds 1 January
    2000); PeriodOutOfRange otherwise.

    Every period a person names passes here (keys in `parse_period`, words in
    `commands.grammar.parse_period_words`), so storage only ever sees keys that parse back.
    """
    if period.last.year < FIRST_YEAR or period.first.year > LAST_YEAR:
        raise PeriodOutOfRange(period.key)
    return period


@dataclass(frozen=True, order=True)
class Period:
    """A plan period: `first` and `last` are both inclusive local days."""

    first: date
    last: date
    kind: PeriodKind

    @cached_property
    def key(self) -> str:
        if self.kind is PeriodKind.WEEK:
            iso_year, iso_week, _ = self.first.isocalendar()
            return f"{iso_year}-W{iso_week:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.first.year}-Q{quarter_of(self.first)}"
        return f"{self.first.year}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def overlap_days(self, other: Period) -> int:
        start, end = max(self.first, other.first), min(self.last, other.last)
        return max(0, (end - start).days + 1)

    def elapsed_days(self, today: date) -> int:
        """Days of this period up to and including `today` (0 before it, all after it)."""
        if today < self.first:
            return 0
        return min(self.days, (today - self.first).days + 1)

    def next(self) -> Period:
        return period_containing(self.kind, self.last + timedelta(days=1))

    def previous(self) -> Period:
        return period_containing(self.kind, self.first - timedelta(days=1))


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def local_day(instant: datetime) -> date:
    """The calendar day in Vietnam at `instant` (which must be time zone aware)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware instant")
    return instant.astimezone(VIETNAM).date()


@lru_cache(maxsize=8192)  # pure, and on the path of every log and every board
def period_containing(kind: PeriodKind, day: date) -> Period:
    if kind is PeriodKind.WEEK:
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=6), kind)
    if kind is PeriodKind.MONTH:
        return _month(day.year, day.month)
    if kind is PeriodKind.QUARTER:
        first_month = 3 * (quarter_of(day) - 1) + 1
        return Period(date(day.year, first_month, 1), _month(day.year, first_month + 2).last, kind)
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), kind)


def _month(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(first, following - timedelta(days=1), PeriodKind.MONTH)


def parse_period(key: str) -> Period:
    """`2026`, `2026-Q4`, `2026-11` or `2026-W48` to a Period; InvalidPeriod otherwise
    (PeriodOutOfRange for a real period outside FIRST_YEAR..LAST_YEAR)."""
    return check_in_range(_period_of_key(key))


def _period_of_key(key: str) -> Period:
    key = key.strip().upper()
    for kind, pattern in _KEY_PATTERNS.items():
        match = pattern.match(key)
        if not match:
            continue
        year, number = int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 1
        # Before any date arithmetic (9999-W52 ends in year 10000); a week key's ISO year
        # may lie one off the calendar years it touches.
        if not FIRST_YEAR - 1 <= year <= LAST_YEAR + 1:
            raise PeriodOutOfRange(key)
        try:
            if kind is PeriodKind.WEEK:
                return period_containing(kind, date.fromisocalendar(year, number, 1))
            if kind is PeriodKind.MONTH:
                return _month(year, number)
            if kind is PeriodKind.QUARTER:
                return period_containing(kind, date(year, 3 * number - 2, 1))
            return period_containing(kind, date(year, 1, 1))
        except ValueError as error:
            raise InvalidPeriod(key) from error
    raise InvalidPeriod(key)


def sub_periods(period: Period, kind: PeriodKind) -> list[Period]:
    """The periods of `kind` that start inside `period`, in order (months of a quarter...)."""
    found: list[Period] = []
    current = period_containing(kind, period.first)
    while current.first <= period.last:
        if current.first >= period.first:
            found.append(current)
        current = current.next()
    return found
