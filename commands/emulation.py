"""`/thidua` (`/emulation`): the year-end emulation score, level and where it is heading.

Two numbers, labelled apart: the completion of the plan (what a report shows) and the
converted score (điểm quy đổi) that decides the level, where a participant paid a year
ahead weighs more than one paid month by month. For a lead: first their unit's own
level against its plan, then their people (civil servants and collection agents ranked
apart) and their units with the collective title each is on course for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from fractions import Fraction

from commands.boards import combined_target, unit_total
from commands.context import Reply, Request
from commands.render import program_label
from commands.total_standing import total_lines, total_standings
from leaderboards.emulation import (
    Emulation,
    MemberStanding,
    assess,
    collective_title,
    on_course_for,
)
from leaderboards.emulation_rules import EmulationRules
from locales import Translator
from tracker.models import Member, Role, TargetKind, Unit
from tracker.percent import Percent
from tracker.periods import Period, PeriodKind, period_containing
from tracker.progress import measure
from tracker.rules import Rules

LEAD_LIST_LIMIT = 30


async def emulation(request: Request, args: list[str], member: Member) -> Reply:
    """The caller's emulation, and for a lead their unit's, people's and units'."""
    repo, rules, t = request.repo, request.services.emulation, request.t
    year = period_containing(PeriodKind.YEAR, request.today)
    plain: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    weighted: dict[int, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for member_id, _, program, term, count in await repo.term_totals(
        member.unit_id, year.first, year.last
    ):
        plain[member_id][program] += count
        weighted[member_id][program] += count * rules.term_weight(term)
    books = await repo.subtree_quota_books(TargetKind.MEMBER, member.unit_id)
    codes = request.rules.program_codes

    def targets_of(member_id: int) -> dict[str, int | None]:
        return {code: combined_target(year, books.get(member_id, {}), (code,)) for code in codes}

    retention = (  # asked only when retention weighs in: by default nothing changes
        await repo.member_retention(member.unit_id, year.first, year.last, request.today)
        if rules.retention_weight
        else {}
    )

    def assess_member(member_id: int) -> Emulation:
        kept = retention.get(member_id)
        return assess(weighted[member_id], targets_of(member_id), year, request.today, rules, kept)

    lines = [t("emulation.title", year=str(year.first.year))]
    if member.is_lead:
        unit = await repo.unit(member.unit_id)
        lines += await _unit_level(request, unit, year, weighted, _summed(retention.values()))
    own = assess_member(member.id)
    if not member.is_lead or own.score is not None:
        if member.is_lead:
            lines.append(t("plans.own_quota"))
        lines += _completion(t, request.rules, plain[member.id], targets_of(member.id))
        lines += _describe(t, own, rules, weighted[member.id], plain[member.id])
        initiative = await repo.has_initiative(member.id, year.first.year)
        titles = on_course_for(own.projected_tier, initiative)
        if titles:
            lines.append(
                t("emulation.on_course", titles=", ".join(t(f"title.{x.value}") for x in titles))
            )
    if member.is_lead:
        lines += await _lead_view(request, member, assess_member, year)
    return Reply("\n".join(lines))


def _completion(
    t: Translator, rules: Rules, plain: dict[str, int], targets: dict[str, int | None]
) -> list[str]:
    """`Hoàn thành kế hoạch: BHXH tự nguyện 100,00% · BHYT hộ gia đình 50,00%`: plain
    counts, as a report shows."""
    parts = [
        t("emulation.completion_part", program=program_label(t, rules, code), percent=percent)
        for code, target in targets.items()
        if (percent := Percent.of(plain.get(code, 0), target)) is not None
    ]
    return [t("emulation.completion", parts=" · ".join(parts))] if parts else []


def _describe(
    t: Translator,
    result: Emulation,
    rules: EmulationRules,
    weighted: dict[str, Fraction],
    plain: dict[str, int],
) -> list[str]:
    if result.score is None or result.tier is None:
        return [t("emulation.no_target")]
    projected = result.projected_score or Fraction(0)
    projected_tier = result.projected_tier or result.tier
    return [
        t(
            "emulation.score",
            score=int(result.score),
            why=_made_of(t, result, weighted, plain),
            tier=rules.tier_names[result.tier].in_language(t.language),
        ),
        t(
            "emulation.projected",
            score=int(projected),
            tier=rules.tier_names[projected_tier].in_language(t.language),
        ),
    ]


def _made_of(
    t: Translator, result: Emulation, weighted: dict[str, Fraction], plain: dict[str, int]
) -> str:
    """What the converted score is made of besides the completion, only the parts in
    effect: longer payment terms that weigh more, the retention rate when it weighs in."""
    parts = []
    if any(weighted.get(code, 0) > count for code, count in plain.items()):
        parts.append(t("emulation.part_longer_terms"))
    if result.retention is not None:
        rate = Percent(int(result.retention * 100))  # floored, as every percentage
        parts.append(t("emulation.part_retention", percent=rate))
    return t("emulation.made_of", parts=", ".join(parts)) if parts else ""


def _summed(retention: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """A unit's (renewed in time, fallen due): its members' added up."""
    pairs = list(retention)
    return sum(kept for kept, _ in pairs), sum(due for _, due in pairs)


async def _unit_level(
    request: Request,
    unit: Unit,
    year: Period,
    by_member: dict[int, dict[str, Fraction]],
    retention: tuple[int, int],
) -> list[str]:
    """The lead's unit against its own plan (or its members' targets): completion per
    program, then the converted score and level of the unit as a whole, with retention
    weighed in as for each member (the participants logged in the unit's subtree)."""
    t, rules = request.t, request.services.emulation
    lines = [t("plans.unit_title", unit=unit.name)]
    targets: dict[str, int | None] = {}
    achieved: dict[str, int] = {}
    weighted: dict[str, Fraction] = defaultdict(Fraction)
    for scores in by_member.values():
        for code, value in scores.items():
            weighted[code] += value
    for code in request.rules.program_codes:
        total = await unit_total(request.repo, unit, year, (code,))
        targets[code], achieved[code] = total.target.target, total.achieved
    lines += _completion(t, request.rules, achieved, targets)
    standings = await total_standings(
        request.repo, unit.id, year, request.today, request.rules.grace_days,
        request.rules.program_codes,
    )  # fmt: skip
    lines += total_lines(t, request.rules, standings, unit.id)  # said apart: not in the score
    result = assess(weighted, targets, year, request.today, rules, retention)
    lines += _describe(t, result, rules, weighted, achieved)
    return lines


async def _meets_plan(request: Request, unit: Unit, year: Period) -> bool:
    """On course to meet its own plan (or its members' targets) in every program that
    has one, at the pace so far."""
    found = False
    for code in request.rules.program_codes:
        total = await unit_total(request.repo, unit, year, (code,))
        target = total.target.target
        if target is None:
            continue
        found = True
        if measure(year, total.achieved, target, request.today).projection < target:
            return False
    return found


async def _lead_view(
    request: Request, lead: Member, judge: Callable[[int], Emulation], year: Period
) -> list[str]:
    t, rules = request.t, request.services.emulation
    members = [m for m in await request.repo.subtree_members(lead.unit_id) if not m.is_lead]
    results = {m.id: judge(m.id) for m in members}
    lines: list[str] = []
    # Civil servants and collection agents are ranked and rated apart.
    for key, group in (
        ("emulation.members_title", [m for m in members if m.role is not Role.AGENT]),
        ("emulation.agents_title", [m for m in members if m.role is Role.AGENT]),
    ):
        if group:
            lines.append(t(key))
            lines += _member_lines(t, rules, group, results)
    units = await request.repo.subtree_units(lead.unit_id)
    children = [u for u in units if u.parent_id == lead.unit_id]
    if children:
        lines.append(t("emulation.units_title"))
    lineage = {u.id: u.parent_id for u in units}
    with_initiative = await request.repo.members_with_initiative(lead.unit_id, year.first.year)
    for child in children:
        inside = [m for m in members if _under(m.unit_id, child.id, lineage)]
        servants = [m for m in inside if m.role is not Role.AGENT]  # agents never count
        title = collective_title(
            await _meets_plan(request, child, year),
            [
                MemberStanding(results[m.id].projected_tier, m.id in with_initiative)
                for m in servants
            ],
            rules,
        )
        if not servants:  # a collection organisation: its agents are rated among agents
            verdict = t("emulation.collective_agents_only")
        elif title:
            verdict = t("emulation.collective_on_course", title=t(f"title.{title.value}"))
        else:
            verdict = t("emulation.collective_no")
        lines.append(t("emulation.unit_line", name=child.name, n=len(servants), verdict=verdict))
    return lines


def _member_lines(
    t: Translator, rules: EmulationRules, group: list[Member], results: dict[int, Emulation]
) -> list[str]:
    ordered = sorted(group, key=lambda m: results[m.id].projected_score or Fraction(-1))
    lines = []
    for person in ordered[:LEAD_LIST_LIMIT]:
        result = results[person.id]
        tier = result.projected_tier
        lines.append(
            t(
                "emulation.member_line",
                name=person.name,
                score=int(result.score or 0),
                projected=int(result.projected_score or 0),
                tier=rules.tier_names[tier].in_language(t.language) if tier else "—",
            )
        )
    if len(ordered) > LEAD_LIST_LIMIT:
        lines.append(t("boards.gap", n=len(ordered) - LEAD_LIST_LIMIT))
    return lines


def _under(unit_id: int, ancestor: int, parent_of: dict[int, int | None]) -> bool:
    current: int | None = unit_id
    while current is not None:
        if current == ancestor:
            return True
        current = parent_of.get(current)
    return False
