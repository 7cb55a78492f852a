"""Targets derived from the quotas leads set: pro rata by days, rounded half up."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.periods import parse_period
from tracker.quotas import (
    TargetSource,
    divide_half_up,
    enclosing_target,
    split_by_profile,
    split_evenly,
    target_for,
    unit_target,
)


def half_up(value: Fraction) -> int:
    """Round half up, by integer division (independent of the code under test)."""
    whole, rest = divmod(value.numerator, value.denominator)
    return whole + (1 if 2 * rest >= value.denominator else 0)


def target(key: str, quotas: dict[str, int]) -> int | None:
    return target_for(parse_period(key), quotas)


def test_half_up_helper_matches_hand_values() -> None:
    assert [half_up(Fraction(n, 2)) for n in (1, 3, 5)] == [1, 2, 3]
    assert half_up(Fraction(600, 73)) == 8


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(Fraction(5, 2), 3), (Fraction(7, 2), 4), (Fraction(249, 100), 2), (Fraction(0), 0),
     (Fraction(1, 2), 1), (Fraction(93, 2), 47)],
)  # fmt: skip
def test_divide_half_up(value: Fraction, rounded: int) -> None:
    assert divide_half_up(value.numerator, value.denominator) == rounded


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6))
def test_divide_half_up_agrees_with_fractions(numerator: int, denominator: int) -> None:
    assert divide_half_up(numerator, denominator) == half_up(Fraction(numerator, denominator))


def test_own_quota_wins() -> None:
    quotas = {"2026": 365, "2026-Q4": 200, "2026-11": 50, "2026-W48": 9}
    assert target("2026-11", quotas) == 50
    assert target("2026-W48", quotas) == 9
    assert target("2026-Q4", quotas) == 200
    assert target("2026", quotas) == 365


def test_month_from_year_pro_rata_by_days() -> None:
    assert target("2026-11", {"2026": 365}) == 30
    assert target("2026-12", {"2026": 365}) == 31
    assert target("2026-02", {"2026": 365}) == 28
    assert target("2026-11", {"2026": 100}) == half_up(Fraction(100 * 30, 365)) == 8
    assert target("2026-Q4", {"2026": 365}) == 92


def test_leap_year_day_counts() -> None:
    assert target("2028-02", {"2028": 366}) == 29
    assert target("2028-Q1", {"2028": 366}) == 31 + 29 + 31
    assert target("2026-02", {"2026": 366}) == half_up(Fraction(366 * 28, 365)) == 28


def test_nearest_enclosing_quota_wins() -> None:
    quotas = {"2026": 1000, "2026-Q4": 92}
    assert target("2026-11", quotas) == 30  # from the quarter, not 1000 * 30 / 365
    assert target("2026-10", quotas) == 31
    # Q1 has no quota of its own, so its months still come from the year.
    assert target("2026-02", quotas) == half_up(Fraction(1000 * 28, 365)) == 77


def test_week_inside_one_month() -> None:
    # 2026-W48 is Mon 23 .. Sun 29 November.
    assert target("2026-W48", {"2026-11": 60}) == 14
    assert target("2026-W48", {"2026": 365}) == 7


def test_week_straddling_two_months_takes_a_share_of_each() -> None:
    # 2026-W49 is Mon 30 November .. Sun 6 December: 1 day of November, 6 of December.
    quotas = {"2026-11": 45, "2026-12": 40}
    share = Fraction(45 * 1, 30) + Fraction(40 * 6, 31)
    assert target("2026-W49", quotas) == half_up(share) == 9


def test_week_straddling_months_with_different_sources() -> None:
    # November has its own quota; December falls back to the year.
    quotas = {"2026": 365, "2026-11": 45}
    share = Fraction(45 * 1, 30) + Fraction(365 * 6, 365)
    assert share == Fraction(15, 2)
    assert target("2026-W49", quotas) == 8


def test_week_straddling_two_years_with_one_year_quota() -> None:
    # 2026-W53: Mon 28 December 2026 .. Sun 3 January 2027, 4 days in 2026.
    assert target("2026-W53", {"2026": 365}) == 4
    assert target("2026-W53", {"2026": 730}) == 8
    assert target("2026-W53", {"2027": 365}) == 3
    both = Fraction(100 * 4, 365) + Fraction(200 * 3, 365)
    assert target("2026-W53", {"2026": 100, "2027": 200}) == half_up(both) == 3


def test_rounding_half_up_exactly_at_half() -> None:
    # Q4 2026 has 92 days; October and December have 31: 138 * 31 / 92 = 46.5.
    quotas = {"2026-Q4": 138}
    assert Fraction(138 * 31, 92) == Fraction(93, 2)
    assert target("2026-10", quotas) == 47  # banker's rounding would give 46
    assert target("2026-12", quotas) == 47
    assert target("2026-11", quotas) == 45
    # 2026-W46 (9..15 November) from November's 45: 45 * 7 / 30 = 10.5.
    assert target("2026-W46", {"2026-11": 45}) == 11


def test_quarter_without_enclosing_quota_sums_its_months_when_all_have_one() -> None:
    quotas = {"2026-10": 10, "2026-11": 20, "2026-12": 30}
    assert target("2026-Q4", quotas) == 60
    assert target("2026-Q3", quotas) is None
    # Two months of three planned: the quarter has no plan (rule 3), not 30.
    assert target("2026-Q4", {"2026-10": 10, "2026-11": 20}) is None


def test_year_without_quota_sums_its_parts_only_when_they_cover_it() -> None:
    whole = {"2026-Q1": 100, "2026-Q2": 90, "2026-Q3": 80, "2026-10": 20, "2026-11": 20}
    assert target("2026", whole | {"2026-12": 5}) == 315
    assert target("2026", whole) is None  # December has no plan
    # A quarter's own quota counts once, not again with a month set inside it.
    assert target("2026", {"2026-Q1": 100, "2026-02": 40}) is None
    assert target("2026", {"2026-02": 40, "2026-08": 2}) is None


def test_a_plan_for_one_month_leaves_the_year_alone() -> None:
    # The case: a unit plan for December 40 must not turn the year into 40.
    assert target("2026", {"2026-12": 40}) is None
    assert target("2026", {"2026": 1_950, "2026-12": 40}) == 1_950
    assert target("2026-Q4", {"2026": 1_950, "2026-12": 40}) == 492  # 1.950 x 92/365
    assert target("2026-12", {"2026": 1_950, "2026-12": 40}) == 40


def test_a_yearly_plan_of_three_gives_months_no_target() -> None:
    # 3 x 30/365 = 0,25 rounds to 0: no target for the month, never 0/0 (rule 4).
    assert target("2026-11", {"2026": 3}) is None
    assert target("2026-W48", {"2026": 3}) is None
    assert target("2026-Q4", {"2026": 3}) == 1  # 3 x 92/365 = 0,76
    assert target("2026", {"2026": 3}) == 3
    november = parse_period("2026-11")
    assert enclosing_target(november, {"2026": 3}) == (parse_period("2026"), 3)
    assert enclosing_target(november, {"2026-Q4": 2}) == (parse_period("2026-Q4"), 2)
    assert enclosing_target(november, {"2026-10": 2}) is None


def test_summed_parts_feed_no_derivation_downwards() -> None:
    # The year is a sum here, not a quota: a month without its own still has none.
    quotas = {"2026-10": 10, "2026-11": 20}
    assert target("2026-12", quotas) is None
    assert target("2026-W53", quotas) is None


@pytest.mark.parametrize("key", ["2026", "2026-Q4", "2026-11", "2026-W48", "2026-W53"])
def test_nothing_set_means_no_target(key: str) -> None:
    assert target(key, {}) is None
    assert target(key, {"2025": 365, "2027-Q2": 91}) is None


def test_zero_quota_is_no_target_but_covers_its_part() -> None:
    assert target("2026-11", {"2026-11": 0, "2026": 365}) is None
    assert target("2026-11", {"2026": 0}) is None
    months = {f"2026-{month:02d}": 1 for month in range(1, 13)}
    assert target("2026", months | {"2026-02": 0}) == 11


def test_a_unit_uses_its_plan_else_its_members_sum() -> None:
    plan = unit_target(1_577, 75)
    assert (plan.target, plan.source, plan.members, plan.differs) == (
        1_577,
        TargetSource.PLAN,
        75,
        True,
    )
    assert unit_target(1_577, 1_577).differs is False
    members = unit_target(None, 75)
    assert (members.target, members.source, members.differs) == (75, TargetSource.MEMBERS, False)
    assert unit_target(None, None).target is None
    assert unit_target(0, 0).target is None


def test_split_evenly_examples() -> None:
    assert split_evenly(10, 3) == [4, 3, 3]
    assert split_evenly(12, 4) == [3, 3, 3, 3]
    assert split_evenly(2, 4) == [1, 1, 0, 0]


@given(total=st.integers(0, 100_000), parts=st.integers(1, 60))
def test_split_evenly_sums_to_total(total: int, parts: int) -> None:
    shares = split_evenly(total, parts)
    assert len(shares) == parts
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)


def test_split_by_profile_examples() -> None:
    assert split_by_profile(100, [1, 1, 2]) == [25, 25, 50]
    assert split_by_profile(10, [1, 1, 1]) == [4, 3, 3]
    # 12 by 31:30:31 -> 4.043.., 3.913.., 4.043..: the largest remainder is the middle.
    assert split_by_profile(12, [31, 30, 31]) == [4, 4, 4]
    assert split_by_profile(7, [0, 3, 0]) == [0, 7, 0]


def test_split_by_profile_needs_weight() -> None:
    with pytest.raises(ValueError):
        split_by_profile(10, [0, 0])
    with pytest.raises(ValueError):
        split_by_profile(10, [])


@given(
    total=st.integers(0, 100_000),
    weights=st.lists(st.integers(0, 1_000), min_size=1, max_size=40).filter(lambda w: sum(w) > 0),
)
def test_split_by_profile_sums_and_is_proportional(total: int, weights: list[int]) -> None:
    shares = split_by_profile(total, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        exact = Fraction(total * weight, sum(weights))
        assert exact - 1 < share < exact + 1  # floor or ceiling of the exact share
        if weight == 0:
            assert share == 0
    for i, wi in enumerate(weights):
        for j, wj in enumerate(weights):
            if wi > wj:
                assert shares[i] >= shares[j]
