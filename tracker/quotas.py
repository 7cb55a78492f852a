"""Targets for any period, derived from the quotas that leads actually set.

A lead sets a yearly quota and perhaps some quarters or months. A period without a
quota of its own takes its share, pro rata by days, of the nearest enclosing quota;
a week that straddles two months takes a share of each. Exact fractions are used
until the very end, then rounded half up, so the same quotas always give the same
numbers (they feed somebody's year-end review).
"""

from __future__ import annotations

from collections.abc import Mapping
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
    """The target for `period`: its own quota, else derived; None when nothing covers it."""
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
    """A quarter or year with no quota above it adds up the quotas set inside it."""
    finer = {PeriodKind.YEAR: PeriodKind.QUARTER, PeriodKind.QUARTER: PeriodKind.MONTH}
    part_kind = finer.get(period.kind)
    if part_kind is None:
        return None
    parts = [target_for(part, quotas) for part in sub_periods(period, part_kind)]
    if all(part is None for part in parts):
        return None
    return sum(part or 0 for part in parts)


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
