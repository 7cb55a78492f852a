"""Year-end emulation: the rules file, the score, levels at their edges, projections, titles."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from leaderboards.badges import EntryFact
from leaderboards.emulation import (
    MemberStanding,
    Title,
    assess,
    collective_title,
    on_course_for,
    projected,
    score,
    tier_for,
    weighted_achieved,
    with_retention,
)
from leaderboards.emulation_rules import (
    DEFAULT_EMULATION_FILE,
    CollectiveRules,
    EmulationConfigError,
    EmulationRules,
    Names,
    Tier,
    load_emulation_rules,
    parse_emulation_rules,
)
from tracker.periods import PeriodKind, parse_period, period_containing
from tracker.progress import measure
from tracker.rules import load_rules

YEAR = parse_period("2026")
PROGRAMS = load_rules().programs


def defaults() -> dict[str, Any]:
    with DEFAULT_EMULATION_FILE.open("rb") as file:
        return tomllib.load(file)


@pytest.fixture(scope="module")
def rules() -> EmulationRules:
    return load_emulation_rules(programs=PROGRAMS)


def entry(day: date, count: int, program: str = "TN", term: int | None = None) -> EntryFact:
    created = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    return EntryFact(day, count, program, True, created, term)


# --- The rules file ---------------------------------------------------------------


def test_the_shipped_file_holds_the_contracts_defaults(rules: EmulationRules) -> None:
    assert rules.program_weights == {"TN": Fraction(3, 5), "YT": Fraction(2, 5)}
    assert [(tier, int(minimum)) for tier, minimum in rules.thresholds] == [
        (Tier.EXCELLENT, 120),
        (Tier.GOOD, 100),
        (Tier.COMPLETED, 70),
    ]
    assert rules.tier_names[Tier.EXCELLENT] == Names("Hoàn thành xuất sắc nhiệm vụ", "Excellent")
    assert rules.tier_names[Tier.NOT_COMPLETED].in_language("vi") == "Không hoàn thành nhiệm vụ"
    assert rules.collective == CollectiveRules(Fraction(50), Fraction(70), 1)


def broken(change: str, value: object = None) -> str:
    """The error for the default file with `change` (a dotted key) set, or removed (None)."""
    data = defaults()
    *parents, last = change.split(".")
    table = data
    for part in parents:
        table = table[part]
    if value is None:
        del table[last]
    else:
        table[last] = value
    with pytest.raises(EmulationConfigError) as error:
        parse_emulation_rules(data, PROGRAMS)
    return str(error.value)


@pytest.mark.parametrize(
    ("change", "value", "message"),
    [
        ("tiers.good.min_percent", None, "tiers.good.min_percent: missing"),
        ("tiers.good.min_percent", "100%", "tiers.good.min_percent: must be a number"),
        ("tiers.good.min_percent", True, "tiers.good.min_percent: must be a number"),
        (
            "tiers.good.min_percent",
            130,
            "tiers.good.min_percent: 130 must be below tiers.excellent",
        ),
        ("tiers.completed.min_percent", 100, "tiers.completed.min_percent: 100 must be below"),
        ("tiers.completed.min_percent", -5, "tiers.completed.min_percent: must be >= 0"),
        ("tiers.excelent", {"min_percent": 150}, "tiers.excelent: unknown key"),
        ("tiers.good.en", None, "tiers.good.en: missing name"),
        ("tiers.good.vi", " ", "tiers.good.vi: missing name"),
        ("tiers.good.colour", "green", "tiers.good.colour: unknown key"),
        ("tiers.not_completed", None, "tiers.not_completed: missing"),
        ("tiers", None, "tiers: missing"),
        ("term_weights.1", None, "term_weights.1: missing"),
        ("term_weights.12", 1.0, "term_weights.12: 1 is less than term_weights.6 (1.2)"),
        ("term_weights.61", 2.0, "term_weights.61: months must be 1..60"),
        ("term_weights.yearly", 2.0, "term_weights.yearly: months must be 1..60"),
        ("term_weights.3", 0, "term_weights.3: must be above 0"),
        ("program_weights.TN", None, "program_weights.TN: missing (a program in config/rules"),
        ("program_weights.XX", 0.1, "program_weights.XX: not a program in config/rules.toml"),
        ("program_weights", "TN", "program_weights: must be a table"),
        ("collective.advanced_member_percent", 120, "advanced_member_percent: must be at most"),
        ("collective.excellent_member_percent", 0, "excellent_member_percent: must be above 0"),
        ("collective.excellent_min_fighters", 1.5, "excellent_min_fighters: must be a whole"),
        ("collective.min_member_percent", 70, "collective.min_member_percent: unknown key"),
        ("bonus", {"x": 1}, "bonus: unknown key"),
    ],
)
def test_a_mistake_in_the_file_names_the_key_to_fix(
    change: str, value: object, message: str
) -> None:
    assert message in broken(change, value)


def test_weights_that_add_up_to_nothing_are_refused() -> None:
    data = defaults()
    data["program_weights"] = {"TN": 0, "YT": 0}
    with pytest.raises(EmulationConfigError, match="at least one weight must be above 0"):
        parse_emulation_rules(data)


def test_loading_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "emulation.toml"
    bad.write_text("[tiers\n", encoding="utf-8")
    with pytest.raises(EmulationConfigError, match=r"emulation\.toml: "):
        load_emulation_rules(bad)
    with pytest.raises(EmulationConfigError, match=r"missing\.toml"):
        load_emulation_rules(tmp_path / "missing.toml")


# --- Scoring ----------------------------------------------------------------------


def test_longer_payment_terms_weigh_more(rules: EmulationRules) -> None:
    weights = {term: rules.term_weight(term) for term in (None, 1, 3, 6, 9, 12, 24, 60)}
    assert weights == {
        None: 1,
        1: 1,
        3: Fraction(11, 10),
        6: Fraction(6, 5),
        9: Fraction(6, 5),  # between steps: the step it reached
        12: Fraction(13, 10),
        24: Fraction(3, 2),
        60: Fraction(3, 2),
    }
    for impossible in (0, 61):
        with pytest.raises(ValueError, match="term_months"):
            rules.term_weight(impossible)


def test_weighted_achieved_counts_what_counts_in_the_year(rules: EmulationRules) -> None:
    voided = EntryFact(date(2026, 5, 4), 9, "TN", False, datetime(2026, 5, 4, tzinfo=UTC))
    entries = [
        entry(date(2026, 5, 4), 2, term=12),
        entry(date(2026, 5, 5), 1),
        entry(date(2026, 5, 5), 3, "YT", term=6),
        entry(date(2025, 12, 31), 5),  # last year
        voided,
    ]
    assert weighted_achieved(entries, rules, YEAR) == {
        "TN": Fraction(2 * 13, 10) + 1,
        "YT": Fraction(3 * 6, 5),
    }


def test_the_tet_week_changes_nothing_in_emulation(rules: EmulationRules) -> None:
    # Yearly targets are not cut for holidays: what is logged in the Tết week counts
    # like any other week, and an empty Tết week costs nothing but its share of pace.
    tet_week = period_containing(PeriodKind.WEEK, date(2026, 2, 17))
    in_tet = [entry(day, 1) for day in (tet_week.first, date(2026, 2, 17), tet_week.last)]
    assert weighted_achieved(in_tet, rules, YEAR) == {"TN": 3}


def test_the_score_is_the_weighted_mean_of_program_completion(rules: EmulationRules) -> None:
    # TN 100% (weight 0.6), YT 50% (weight 0.4): 60 + 20.
    assert score({"TN": Fraction(40), "YT": Fraction(10)}, {"TN": 40, "YT": 20}, rules) == 80


def test_programs_without_a_target_are_left_out_not_scored_zero(rules: EmulationRules) -> None:
    assert score({"TN": Fraction(30)}, {"TN": 40, "YT": None}, rules) == 75
    assert score({"TN": Fraction(30)}, {"TN": 40, "YT": 0}, rules) == 75
    assert score({"TN": Fraction(30)}, {}, rules) is None
    assert tier_for(None, rules) is None


@pytest.mark.parametrize(
    ("value", "tier"),
    [
        (Fraction(120), Tier.EXCELLENT),
        (Fraction(11999, 100), Tier.GOOD),
        (Fraction(100), Tier.GOOD),
        (Fraction(9999, 100), Tier.COMPLETED),
        (Fraction(70), Tier.COMPLETED),
        (Fraction(6999, 100), Tier.NOT_COMPLETED),
        (Fraction(0), Tier.NOT_COMPLETED),
    ],
)
def test_levels_at_and_just_below_their_thresholds(
    rules: EmulationRules, value: Fraction, tier: Tier
) -> None:
    assert tier_for(value, rules) is tier


def test_exactly_seventy_percent_from_decimal_weights_is_exactly_seventy(
    rules: EmulationRules,
) -> None:
    # 0.6 * 50% + 0.4 * 100% = 70%: with floats this could land a hair below.
    value = score({"TN": Fraction(10), "YT": Fraction(10)}, {"TN": 20, "YT": 10}, rules)
    assert value == 70
    assert tier_for(value, rules) is Tier.COMPLETED


def test_projection_on_the_first_and_last_day_of_the_year(rules: EmulationRules) -> None:
    one_percent = Fraction(1)
    assert projected(one_percent, YEAR, date(2026, 1, 1)) == 365
    assert projected(one_percent, YEAR, date(2026, 12, 31)) == 1
    assert projected(one_percent, YEAR, date(2027, 3, 1)) == 1  # the year is over
    assert projected(one_percent, YEAR, date(2025, 12, 31)) == 1  # not started: no pace yet
    assert projected(None, YEAR, date(2026, 6, 1)) is None


def test_projection_agrees_with_progress_measure(rules: EmulationRules) -> None:
    # 10 of 365 by 14 March (day 73): measure projects 50 for the year, i.e. 13.69...%.
    today = date(2026, 3, 14)
    progress = measure(YEAR, 10, 365, today)
    projected_score = projected(score({"TN": Fraction(10)}, {"TN": 365}, rules), YEAR, today)
    assert progress.projection == 50
    assert projected_score == Fraction(100 * progress.projection, 365)


def test_assess_shows_the_level_now_and_at_year_end(rules: EmulationRules) -> None:
    # Half way through (2 July is day 183 of 365) at 60%: on course for 120%.
    today = date(2026, 7, 2)
    result = assess(
        {"TN": Fraction(30), "YT": Fraction(12)}, {"TN": 50, "YT": 20}, YEAR, today, rules
    )
    assert result.score == 60
    assert result.tier is Tier.NOT_COMPLETED
    assert result.projected_score == Fraction(60 * 365, 183)
    assert result.projected_tier is Tier.GOOD  # 119.67%: a hair short of excellent
    assert int(result.projected_score) == 119


def test_a_year_end_assessment_is_final(rules: EmulationRules) -> None:
    result = assess({"TN": Fraction(48)}, {"TN": 40}, YEAR, date(2026, 12, 31), rules)
    assert (result.score, result.tier) == (Fraction(120), Tier.EXCELLENT)
    assert (result.projected_score, result.projected_tier) == (Fraction(120), Tier.EXCELLENT)


# --- Titles -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "initiative", "titles"),
    [
        (Tier.EXCELLENT, True, (Title.ADVANCED_WORKER, Title.EMULATION_FIGHTER)),
        (Tier.EXCELLENT, False, (Title.ADVANCED_WORKER,)),
        (Tier.GOOD, True, (Title.ADVANCED_WORKER,)),
        (Tier.COMPLETED, True, ()),
        (Tier.NOT_COMPLETED, False, ()),
        (None, True, ()),
    ],
)
def test_what_a_level_is_on_course_for(
    tier: Tier | None, initiative: bool, titles: tuple[Title, ...]
) -> None:
    assert on_course_for(tier, initiative) == titles


def standings(*groups: tuple[int, Tier | None, bool]) -> list[MemberStanding]:
    return [MemberStanding(tier, initiative) for n, tier, initiative in groups for _ in range(n)]


def test_advanced_collective_needs_more_than_half_and_its_plan(rules: EmulationRules) -> None:
    exactly_half = standings((5, Tier.GOOD, False), (5, Tier.NOT_COMPLETED, False))
    assert collective_title(True, exactly_half, rules) is None  # 50% is not more than 50%
    six_of_ten = standings((6, Tier.GOOD, False), (4, Tier.NOT_COMPLETED, False))
    assert collective_title(True, six_of_ten, rules) is Title.ADVANCED_COLLECTIVE
    assert collective_title(False, six_of_ten, rules) is None  # its own plan not met
    # The lead and an admin have no level: not assessed, not held against the unit.
    with_leads = [*six_of_ten, MemberStanding(None), MemberStanding(None)]
    assert collective_title(True, with_leads, rules) is Title.ADVANCED_COLLECTIVE
    assert collective_title(True, [MemberStanding(None)], rules) is None
    assert collective_title(True, [], rules) is None


def test_excellent_collective_at_exactly_seventy_percent(rules: EmulationRules) -> None:
    seven_of_ten = standings(
        (1, Tier.EXCELLENT, True), (6, Tier.GOOD, False), (3, Tier.COMPLETED, False)
    )
    assert collective_title(True, seven_of_ten, rules) is Title.EXCELLENT_COLLECTIVE
    six_of_ten = standings(
        (1, Tier.EXCELLENT, True), (5, Tier.GOOD, False), (4, Tier.COMPLETED, False)
    )
    assert collective_title(True, six_of_ten, rules) is Title.ADVANCED_COLLECTIVE
    # Nobody on course for Chiến sĩ thi đua cơ sở (excellent without an initiative).
    no_fighter = standings(
        (1, Tier.EXCELLENT, False), (6, Tier.GOOD, False), (3, Tier.COMPLETED, False)
    )
    assert collective_title(True, no_fighter, rules) is Title.ADVANCED_COLLECTIVE
    # One member who does not complete their tasks: not excellent, still advanced.
    one_short = standings(
        (1, Tier.EXCELLENT, True), (8, Tier.GOOD, False), (1, Tier.NOT_COMPLETED, False)
    )
    assert collective_title(True, one_short, rules) is Title.ADVANCED_COLLECTIVE


# --- Retention ----------------------------------------------------------------------


def test_retention_weighs_in_only_when_configured(rules: EmulationRules) -> None:
    assert rules.retention_weight == 0  # the shipped file: nothing changes
    today = date(2026, 7, 2)
    weighted, targets = {"TN": Fraction(30), "YT": Fraction(12)}, {"TN": 50, "YT": 20}
    plain = assess(weighted, targets, YEAR, today, rules)
    assert assess(weighted, targets, YEAR, today, rules, (1, 4)) == plain
    quarter = replace(rules, retention_weight=Fraction(1, 4))
    # 3/4 x 60% + 1/4 x 75% (3 of 4 renewed in time); the rate is not projected.
    kept = assess(weighted, targets, YEAR, today, quarter, (3, 4))
    assert kept.score == Fraction(3, 4) * 60 + Fraction(1, 4) * 75
    assert kept.projected_score == Fraction(3, 4) * Fraction(60 * 365, 183) + Fraction(75, 4)
    # Nobody fell due, or no score: the score as it was.
    assert assess(weighted, targets, YEAR, today, quarter, (0, 0)) == plain
    assert with_retention(None, (3, 4), quarter) is None
    assert broken("retention.weight", 1.5) == (
        "retention.weight: must be at most 1 (a share of the score)"
    )
