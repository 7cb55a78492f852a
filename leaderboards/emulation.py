"""Year-end emulation (thi đua): a score, its rating level, and the titles it leads to.

The score of a member or a unit for a calendar year is the weighted mean, over the
programs that have a target, of each program's completion in percent:

    score = sum(weight[p] * 100 * weighted_achieved[p] / target[p]) / sum(weight[p])

`weighted_achieved` counts each participant by the payment term of its entry, so a
participant who pays a year ahead earns more than one who pays month by month.
Programs without a target (or weight 0) are left out, not scored as zero; with none
left there is no score and no level (not assessed). Exact fractions: a score of exactly
70, 100 or 120 reaches its level. Rules: `config/emulation.toml`, read and checked at
start by `leaderboards.emulation_rules`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from leaderboards.badges import EntryFact
from leaderboards.emulation_rules import EmulationRules, Tier
from tracker.periods import Period


class Title(StrEnum):
    """What a level puts one on course for; the values are message keys (locales)."""

    ADVANCED_WORKER = "advanced_worker"
    EMULATION_FIGHTER = "emulation_fighter"
    ADVANCED_COLLECTIVE = "advanced_collective"
    EXCELLENT_COLLECTIVE = "excellent_collective"


def weighted_achieved(
    entries: Iterable[EntryFact], rules: EmulationRules, period: Period
) -> dict[str, Fraction]:
    """Participants per program in `period`, each weighted by its payment term."""
    totals: dict[str, Fraction] = defaultdict(Fraction)
    for entry in entries:
        if entry.counting and entry.day in period:
            totals[entry.program] += entry.count * rules.term_weight(entry.term_months)
    return dict(totals)


def score(
    weighted: Mapping[str, Fraction], targets: Mapping[str, int | None], rules: EmulationRules
) -> Fraction | None:
    """The emulation score in percent, exact; None when no program can be scored."""
    weighted_sum = weight_total = Fraction(0)
    for code, target in targets.items():
        weight = rules.program_weights.get(code, Fraction(0))
        if target is None or target <= 0 or weight <= 0:
            continue  # nothing to complete, or no part in the score
        weighted_sum += weight * 100 * weighted.get(code, Fraction(0)) / target
        weight_total += weight
    return weighted_sum / weight_total if weight_total else None


def tier_for(value: Fraction | None, rules: EmulationRules) -> Tier | None:
    """The rating level a score reaches; None for no score (not assessed)."""
    reached = (tier for tier, minimum in rules.thresholds if value is not None and value >= minimum)
    return None if value is None else next(reached, Tier.NOT_COMPLETED)


def projected(value: Fraction | None, period: Period, today: date) -> Fraction | None:
    """Where `value` ends the period if the pace so far holds, by the rule of
    `tracker.progress.measure` (today counts as elapsed; nothing moves before the start).
    Every program scales by the same days/elapsed, so this is each program's projection,
    taken on the exact score: no rounding to tip a level at a boundary."""
    elapsed = period.elapsed_days(today)
    if value is None or elapsed == 0:
        return value
    return value * period.days / elapsed


@dataclass(frozen=True)
class Emulation:
    """A member's or a unit's year so far, and where it is heading. Scores are exact
    percentages: show them floored (`int(score)`), like every completion percent."""

    score: Fraction | None
    tier: Tier | None
    projected_score: Fraction | None
    projected_tier: Tier | None
    retention: Fraction | None = None
    """The retention rate in % that weighs in the score; None when it does not (weight 0,
    nothing fallen due, or no score), so a reply names only the parts in effect."""


def retention_rate(retention: tuple[int, int] | None, rules: EmulationRules) -> Fraction | None:
    """Renewed in time / fallen due, in %, when it weighs in the score (a weight is set
    and someone fell due); None otherwise."""
    if retention is None or rules.retention_weight == 0 or retention[1] <= 0:
        return None
    retained, fallen_due = retention
    return Fraction(100 * min(retained, fallen_due), fallen_due)


def with_retention(
    value: Fraction | None, retention: tuple[int, int] | None, rules: EmulationRules
) -> Fraction | None:
    """The score with retention (renewed in time, fallen due) weighed in by
    `retention_weight`; unchanged with weight 0, no score, or nothing fallen due."""
    rate = retention_rate(retention, rules)
    if value is None or rate is None:
        return value
    weight = rules.retention_weight
    return (1 - weight) * value + weight * rate


def assess(
    weighted: Mapping[str, Fraction],
    targets: Mapping[str, int | None],
    year: Period,
    today: date,
    rules: EmulationRules,
    retention: tuple[int, int] | None = None,
) -> Emulation:
    """Score and level of `year` so far, with the projected year-end score and level.
    Retention, a rate, is not projected: only the completion part moves with the pace."""
    completion = score(weighted, targets, rules)
    current = with_retention(completion, retention, rules)
    ahead = with_retention(projected(completion, year, today), retention, rules)
    rate = retention_rate(retention, rules) if completion is not None else None
    return Emulation(current, tier_for(current, rules), ahead, tier_for(ahead, rules), rate)


def on_course_for(tier: Tier | None, has_initiative: bool) -> tuple[Title, ...]:
    """Titles a member's (projected) level leads to: advanced worker from "good" up;
    grassroots emulation fighter at "excellent" with an initiative the lead recorded."""
    titles = [Title.ADVANCED_WORKER] if tier in (Tier.EXCELLENT, Tier.GOOD) else []
    if tier is Tier.EXCELLENT and has_initiative:
        titles.append(Title.EMULATION_FIGHTER)
    return tuple(titles)


@dataclass(frozen=True)
class MemberStanding:
    """What a collective title asks of one individual member: their projected level and
    whether the lead recorded an initiative. Collection agents are not passed in."""

    tier: Tier | None
    has_initiative: bool = False


def collective_title(
    meets_plan: bool, members: Iterable[MemberStanding], rules: EmulationRules
) -> Title | None:
    """The collective title a unit is on course for (Luật Thi đua, khen thưởng):
    excellent collective when every assessed member at least completes their tasks, at
    least `excellent_member_percent` are on course for advanced worker and at least
    `excellent_min_fighters` for emulation fighter; advanced collective when it meets
    its own plan and strictly more than `advanced_member_percent` are on course for
    advanced worker. Both need the plan met. Members without a level (no target) are
    left out rather than held against the unit; with nobody assessed, no title."""
    assessed = [m for m in members if m.tier is not None]
    if not meets_plan or not assessed:
        return None
    titles = [on_course_for(m.tier, m.has_initiative) for m in assessed]
    advanced = sum(1 for t in titles if Title.ADVANCED_WORKER in t)
    fighters = sum(1 for t in titles if Title.EMULATION_FIGHTER in t)
    collective = rules.collective
    everyone_completes = all(m.tier is not Tier.NOT_COMPLETED for m in assessed)
    if (
        everyone_completes
        and 100 * advanced >= collective.excellent_member_percent * len(assessed)
        and fighters >= collective.excellent_min_fighters
    ):
        return Title.EXCELLENT_COLLECTIVE
    if 100 * advanced > collective.advanced_member_percent * len(assessed):
        return Title.ADVANCED_COLLECTIVE
    return None
