"""Targets for any period, derived from the quotas that leads actually set.

The rule, in one place (`target_for`, then `unit_target` for a unit; README, "How
quotas and progress are computed"):

1. A period's own quota (plan) is its target.
2. Else its share, pro rata by days, of the nearest enclosing quota; a week that
   straddles two months takes a share of each.
3. Else, for a quarter or a year, the sum of its parts, but only when plans cover
   every part: a plan for one month never changes what a year or quarter target is.
4. A target that comes out as 0 is no target (shown as the enclosing one, never 0/0,
   never ranked at 0%).
5. A unit with no target by 1-4 is measured against the sum of its members' targets
   (and sub-units'), and says so.

Exact fractions are used until the very end, then rounded half up, so the same quotas
always give the same numbers (they feed somebody's year-end review).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from tracker.periods import KINDS_FINEST_FIRST, Period, PeriodKind, period_containing, sub_periods

# period key -> quota, for one target (member or unit) and one program.
QuotaBook = Mapping[str, int]


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, exactly (denominator > 0).

    Plain integers, not Fractions: every log's reply derives a target and a pace.
    """
    return (2 * numerator + denominator) // (2 * denominator)


def target_for(period: Period, quotas: QuotaBook) -> int | None:
    """The target for `period`: its own quota, else derived (rules 1-4 of the module);
    None when nothing covers it or it comes to 0."""
    return _covering(period, quotas) or None


def enclosing_target(period: Period, quotas: QuotaBook) -> tuple[Period, int] | None:
    """For a period without a target (rule 4: a yearly 3 is 0 a month), the longer
    period to show instead: `chưa giao chỉ tiêu tháng · cả năm 3`. The nearest one with
    a plan set for it (not the quarter's 1 derived from that 3), else the nearest with
    any target."""
    enclosing = [period_containing(kind, period.first) for kind in _COARSER[period.kind]]
    for candidate in enclosing:
        if quotas.get(candidate.key):
            return candidate, quotas[candidate.key]
    for candidate in enclosing:
        target = target_for(candidate, quotas)
        if target is not None:
            return candidate, target
    return None


def total_plan_for(period: Period, plans: QuotaBook) -> tuple[Period, int] | None:
    """A unit's plan for participants in total (`PlanKind.TOTAL`) that `period` is
    measured against: a level to reach by a period's end, not a flow, so it is never
    shared out or added up. The period's own plan, else the nearest enclosing period's
    (a month of a year planned at 20.869 shows that year's plan); a plan of 0 is none."""
    for candidate in (period, *(period_containing(k, period.first) for k in _COARSER[period.kind])):
        if plans.get(candidate.key):
            return candidate, plans[candidate.key]
    return None


def _covering(period: Period, quotas: QuotaBook) -> int | None:
    own = quotas.get(period.key)
    if own is not None:
        return own
    share = _share_of_enclosing(period, quotas)
    if share is not None:
        return share
    return _sum_of_parts(period, quotas)


def _share_of_enclosing(period: Period, quotas: QuotaBook) -> int | None:
    """Pro rata share of the nearest enclosing quota, month segment by month segment,
    summed exactly (numerator over denominator) and rounded once."""
    coarser = _COARSER[period.kind]
    numerator, denominator, covered = 0, 1, False
    month = period_containing(PeriodKind.MONTH, period.first)
    while month.first <= period.last:
        for kind in coarser:
            source = period_containing(kind, month.first)
            quota = quotas.get(source.key)
            if quota is not None:
                # numerator/denominator += quota * overlap / source.days
                numerator = (
                    numerator * source.days + quota * period.overlap_days(month) * denominator
                )
                denominator *= source.days
                covered = True
                break
        month = month.next()
    return divide_half_up(numerator, denominator) if covered else None


# Where a period without a quota of its own looks, nearest first (weeks never: a week
# straddles months, so it cannot be the source of a month's share).
_COARSER = {
    kind: [k for k in KINDS_FINEST_FIRST[index + 1 :] if k is not PeriodKind.WEEK]
    for index, kind in enumerate(KINDS_FINEST_FIRST)
}


def _sum_of_parts(period: Period, quotas: QuotaBook) -> int | None:
    """A quarter or year with no quota above it adds up the quotas of its parts, when
    every part has one (a month's plan alone says nothing of the year)."""
    finer = {PeriodKind.YEAR: PeriodKind.QUARTER, PeriodKind.QUARTER: PeriodKind.MONTH}
    part_kind = finer.get(period.kind)
    if part_kind is None:
        return None
    total = 0
    for part in sub_periods(period, part_kind):
        target = _covering(part, quotas)
        if target is None:
            return None
        total += target
    return total


class TargetSource(StrEnum):
    PLAN = "plan"
    """The unit's own plan (kế hoạch giao), set or derived from its plans (rules 1-4)."""
    MEMBERS = "members"
    """No plan covers the period: the sum of its members' (and sub-units') targets."""


@dataclass(frozen=True, slots=True)
class UnitTarget:
    """What a unit is measured against, and where it comes from."""

    target: int | None
    source: TargetSource
    members: int | None
    """Its members' (and sub-units') targets added up, shown beside a differing plan."""

    @property
    def differs(self) -> bool:
        return self.source is TargetSource.PLAN and self.members not in (None, self.target)


def unit_target(plan: int | None, members: int | None) -> UnitTarget:
    """Rule 5: the unit's plan (`target_for` of its own quotas) wins; without one, the
    sum of its members' targets (None or 0: no target)."""
    if plan:
        return UnitTarget(plan, TargetSource.PLAN, members or None)
    return UnitTarget(members or None, TargetSource.MEMBERS, members or None)


def split_evenly(total: int, parts: int) -> list[int]:
    """Split a quota into `parts` whole numbers that add up to `total`, larger ones first."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def split_by_profile(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` by largest remainder, summing exactly."""
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    exact = [Fraction(total * weight, weight_sum) for weight in weights]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares
