"""Units' participant counts as of a day: imported figures rolled forward (see
`tracker.participant_counts`), for reports, exports and the operator's import."""

from __future__ import annotations

from datetime import date

from storage.repository import Repository
from tracker.participant_counts import (
    CountFigure,
    UnitCount,
    ancestors_from_lineage,
    counts_on,
    latest_figures,
)
from tracker.renewals import lapse_known_before


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
