"""Units' participant counts as of a day: imported figures rolled forward (see
`tracker.participant_counts`), for reports, exports and the operator's import."""

from __future__ import annotations

from datetime import date

from commands.side_by_side import side_by_side
from storage.repository import Repository
from tracker.participant_counts import (
    CountFigure,
    UnitCount,
    ancestors_from_lineage,
    counts_on,
    latest_figures,
)
from tracker.renewals import CountChanges, lapse_known_before


async def unit_counts(
    repo: Repository,
    unit_id: int,
    day: date,
    grace_days: int,
    figures: list[CountFigure] | None = None,
) -> dict[tuple[int, str], UnitCount]:
    """Every unit of the subtree of `unit_id` with a figure by `day`: its count on `day`,
    lapses as known that day. `figures`: the subtree's imported figures, when read
    already (a report counts on two days)."""
    if figures is None:
        figures = await repo.count_figures(unit_id)
    latest = latest_figures(figures, day)
    if not latest:
        return {}
    oldest = min(figure.as_of for figure in latest.values())
    events = await repo.count_events(unit_id, oldest, day, lapse_known_before(day, grace_days))
    ancestors = ancestors_from_lineage(await repo.unit_lineages(unit_id))
    return counts_on(day, latest.values(), events, ancestors)


async def scope_counts(
    repo: Repository, unit_id: int, day: date, grace_days: int, figures: list[CountFigure]
) -> dict[str, UnitCount]:
    """Per program, the count of `unit_id` itself on `day`: what `unit_counts` gives for
    `unit_id`, without rolling forward every unit below it (a country's 3,775 units and
    their events of every day since the figures). `figures`: the unit's own figures
    (`own_count_figures`). The changes since a figure are added up by the database, new
    enrolments from sums kept per month (`kept_enrolments`)."""
    latest = latest_figures(figures, day)
    found: dict[str, UnitCount] = {}
    for as_of in sorted({figure.as_of for figure in latest.values()}):
        joined, lapsed = await side_by_side(
            repo.kept_enrolments(unit_id, as_of, day),
            repo.lapses(unit_id, as_of, day, lapse_known_before(day, grace_days)),
        )
        for (_, program), figure in latest.items():
            if figure.as_of == as_of:
                new, rejoined = joined.get(program, (0, 0))
                changes = CountChanges(new, rejoined, lapsed.get(program, 0))
                found[program] = UnitCount(figure, changes)
    return found
