"""`/thidua` (`/emulation`): the year-end emulation score, level and where it is heading.

For a lead, the same for each child unit and member of their subtree (private only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction

from commands.boards import combined_target
from commands.context import Reply, Request
from leaderboards.emulation import (
    Emulation,
    EmulationRules,
    assess,
    collective_on_course,
    on_course_for,
)
from locales import Translator
from tracker.models import Member, TargetKind
from tracker.periods import PeriodKind, period_containing

LEAD_LIST_LIMIT = 30


async def emulation(request: Request, args: list[str], member: Member) -> Reply:
    """The caller's emulation, and for a lead their units' and people's."""
    repo, rules, t = request.repo, request.services.emulation, request.t
    year = period_containing(PeriodKind.YEAR, request.today)
    scope = member.unit_id
    weighted: dict[int, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    by_unit: dict[int, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for member_id, unit_id, program, term, count in await repo.term_totals(
        scope, year.first, year.last
    ):
        weight = count * rules.term_weight(term)
        weighted[member_id][program] += weight
        by_unit[unit_id][program] += weight
    books = await repo.subtree_quota_books(TargetKind.MEMBER, scope)
    codes = request.rules.program_codes

    retention = (  # asked only when retention weighs in: by default nothing changes
        await repo.member_retention(scope, year.first, year.last, request.today)
        if rules.retention_weight
        else {}
    )

    def assess_member(member_id: int) -> Emulation:
        targets = {code: combined_target(year, books.get(member_id, {}), (code,)) for code in codes}
        kept = retention.get(member_id)
        return assess(weighted[member_id], targets, year, request.today, rules, kept)

    own = assess_member(member.id)
    initiative = await repo.has_initiative(member.id, year.first.year)
    lines = [t("emulation.title", year=str(year.first.year)), *_describe(t, own, rules)]
    titles = on_course_for(own.projected_tier, initiative)
    if titles:
        lines.append(
            t("emulation.on_course", titles=", ".join(t(f"title.{x.value}") for x in titles))
        )
    if member.is_lead:
        lines += await _lead_view(request, member, assess_member)
    return Reply("\n".join(lines))


def _describe(t: Translator, result: Emulation, rules: EmulationRules) -> list[str]:
    if result.score is None or result.tier is None:
        return [t("emulation.no_target")]
    projected = result.projected_score or Fraction(0)
    projected_tier = result.projected_tier or result.tier
    return [
        t(
            "emulation.score",
            score=int(result.score),
            tier=rules.tier_names[result.tier].in_language(t.language),
        ),
        t(
            "emulation.projected",
            score=int(projected),
            tier=rules.tier_names[projected_tier].in_language(t.language),
        ),
    ]


async def _lead_view(
    request: Request, lead: Member, judge: Callable[[int], Emulation]
) -> list[str]:
    t, rules = request.t, request.services.emulation
    members = [m for m in await request.repo.subtree_members(lead.unit_id) if not m.is_lead]
    results = {m.id: judge(m.id) for m in members}
    lines = [t("emulation.members_title")]
    ordered = sorted(members, key=lambda m: results[m.id].projected_score or Fraction(-1))
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
    units = await request.repo.subtree_units(lead.unit_id)
    children = [u for u in units if u.parent_id == lead.unit_id]
    if children:
        lines.append(t("emulation.units_title"))
    lineage = {u.id: u.parent_id for u in units}
    for child in children:
        inside = [m for m in members if _under(m.unit_id, child.id, lineage)]
        on_course = collective_on_course([results[m.id].projected_tier for m in inside], rules)
        lines.append(
            t(
                "emulation.unit_line",
                name=child.name,
                n=len(inside),
                verdict=t("emulation.collective_yes" if on_course else "emulation.collective_no"),
            )
        )
    return lines


def _under(unit_id: int, ancestor: int, parent_of: dict[int, int | None]) -> bool:
    current: int | None = unit_id
    while current is not None:
        if current == ancestor:
            return True
        current = parent_of.get(current)
    return False
