"""Participants who stay: paid-until dates, renewals, lapses, counts and retention (pure).

A payment covers `term` months from the start of the period it pays for: a new
participant's from the day they paid, a renewal's from where the previous payment ended
(BHXH lets a participant pay the months missed, so a late renewal within the grace keeps
the cover continuous). A month is a calendar month: 31/01 + 1 month is 28/02 (29/02 in
a leap year), as BHXH counts contribution months.

A participant not renewed by `grace_days` after their paid-until date is lapsed, and
the lapse is dated from the paid-until date. Paying again after that is rejoining: the
lapse stays, and the new cover starts on the day of payment.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

GRACE_DAYS = 90
"""Default grace after a paid-until date before a participant counts as lapsed."""
DUE_AHEAD_DAYS = 30
"""/denhan lists what falls due this many days ahead (and what fell due within the grace)."""
REMIND_AHEAD_DAYS = 14
"""The weekly reminder counts what falls due this many days ahead."""
SAME_PAYMENT_DAYS = 45
"""A hand renewal and a collection record this close are one payment (as reconciliation)."""


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped to the month's last day (31/01 + 1 = 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def paid_until(start: date, term_months: int) -> date:
    """When a payment of `term_months` starting on `start` falls due again."""
    return add_months(start, term_months)


def is_lapsed(until: date, today: date, grace_days: int = GRACE_DAYS) -> bool:
    """Lapsed once the whole grace has passed: on `until + grace` a renewal is still in time."""
    return today > until + timedelta(days=grace_days)


def lapse_known_before(today: date, grace_days: int = GRACE_DAYS) -> date:
    """Paid-until dates before this one are lapses by `today` unless renewed."""
    return today - timedelta(days=grace_days)


class RenewalKind(StrEnum):
    EARLY = "early"
    """Paid before (or on) the paid-until date."""
    LATE = "late"
    """Paid after it, within the grace: still kept, the months missed paid."""
    REJOIN = "rejoin"
    """Paid after the grace: the participant had lapsed and joins again."""


@dataclass(frozen=True)
class RenewalPlan:
    kind: RenewalKind
    start: date
    until: date

    @property
    def retained(self) -> bool:
        """Counts as retention (renewed / fallen due), not as rejoining."""
        return self.kind is not RenewalKind.REJOIN


def plan_renewal(
    current_until: date, day: date, term_months: int, grace_days: int = GRACE_DAYS
) -> RenewalPlan:
    """What a payment of `term_months` on `day` does to cover that ends on `current_until`."""
    if day <= current_until:
        kind = RenewalKind.EARLY
    elif not is_lapsed(current_until, day, grace_days):
        kind = RenewalKind.LATE
    else:
        return RenewalPlan(RenewalKind.REJOIN, day, paid_until(day, term_months))
    return RenewalPlan(kind, current_until, paid_until(current_until, term_months))


def same_payment(first: date, second: date, window: int = SAME_PAYMENT_DAYS) -> bool:
    """A renewal typed by hand and one found in collection records this close are one."""
    return abs((first - second).days) <= window


def paired_renewal(
    day: date, other_source: Iterable[tuple[int, date]], window: int = SAME_PAYMENT_DAYS
) -> int | None:
    """The renewal of the other source (id, day) that a payment on `day` is, if any.

    `other_source` holds renewals recorded only the other way so far (typed by hand,
    not yet seen in collection records, or the reverse); the nearest one in the
    window, the older on a tie. Two renewals of the same source are two payments.
    """
    near = [(abs((day - seen).days), item) for item, seen in other_source]
    near = [(distance, item) for distance, item in near if distance <= window]
    return min(near)[1] if near else None


@dataclass(frozen=True)
class DueWindow:
    """The paid-until dates /denhan lists on `today`."""

    first: date
    last: date

    @classmethod
    def around(
        cls, today: date, ahead: int = DUE_AHEAD_DAYS, grace_days: int = GRACE_DAYS
    ) -> DueWindow:
        """Due in the next `ahead` days, or fell due within the grace and still unpaid."""
        return cls(lapse_known_before(today, grace_days), today + timedelta(days=ahead))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True)
class CountChanges:
    """What changed a unit's participant count between two days."""

    new: int = 0
    rejoined: int = 0
    lapsed: int = 0

    def __add__(self, other: CountChanges) -> CountChanges:
        return CountChanges(
            self.new + other.new, self.rejoined + other.rejoined, self.lapsed + other.lapsed
        )


def roll_forward(imported: int, changes: CountChanges) -> int:
    """An imported count kept current: + new enrolments, + rejoining, - lapses known of."""
    return max(0, imported + changes.new + changes.rejoined - changes.lapsed)


def same_date_last_year(day: date) -> date:
    """The date a year before; 29/02 compares with 28/02."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


@dataclass(frozen=True)
class Growth:
    """Count now against the same date last year: people and hundredths of a percent."""

    people: int
    hundredths: int | None
    """Size of the change in hundredths of a percent, floored; None when last year was 0."""


def growth(now: int, last_year: int | None) -> Growth | None:
    """None when last year has no count to compare with."""
    if last_year is None:
        return None
    people = now - last_year
    if last_year <= 0:
        return Growth(people, None)
    return Growth(people, abs(people) * 10_000 // last_year)


def retention_hundredths(renewed: int, fallen_due: int) -> int | None:
    """Renewed / fallen due, in hundredths of a percent, floored; None when nothing fell due."""
    if fallen_due <= 0:
        return None
    return min(renewed, fallen_due) * 10_000 // fallen_due
