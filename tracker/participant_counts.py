"""A unit's participant count (số người tham gia), kept current from the official figure.

The official system gives a unit's count on a day (`import-participant-counts`). From
there the bot rolls it forward: + new enrolments and + rejoining participants logged in
the unit's subtree after that day, - lapses it knows of (dated from the paid-until date,
known once the grace has passed). A unit without an imported figure has no count: the
bot never makes one up from its members' enrolments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from tracker.renewals import CountChanges, roll_forward


@dataclass(frozen=True)
class CountRow:
    """A line of `import-participant-counts`: a unit's count on a day."""

    line: int
    unit_path: str
    program: str
    as_of: date
    count: int


@dataclass(frozen=True)
class CountFigure:
    """A count the official system gave for a unit on a day."""

    unit_id: int
    program: str
    as_of: date
    count: int


@dataclass(frozen=True)
class CountEvent:
    """What changed the count of one unit's own participants on one day."""

    unit_id: int
    program: str
    day: date
    new: int = 0
    rejoined: int = 0
    lapsed: int = 0


@dataclass(frozen=True)
class UnitCount:
    figure: CountFigure
    """The latest imported figure on or before the day counted."""
    changes: CountChanges
    """What the bot knows of since that figure."""

    @property
    def count(self) -> int:
        return roll_forward(self.figure.count, self.changes)


def latest_figures(figures: Iterable[CountFigure], day: date) -> dict[tuple[int, str], CountFigure]:
    """Per (unit, program), the latest figure dated on or before `day`."""
    latest: dict[tuple[int, str], CountFigure] = {}
    for figure in figures:
        key = (figure.unit_id, figure.program)
        if figure.as_of <= day and (key not in latest or latest[key].as_of < figure.as_of):
            latest[key] = figure
    return latest


def counts_on(
    day: date,
    figures: Iterable[CountFigure],
    events: Iterable[CountEvent],
    ancestors: Mapping[int, tuple[int, ...]],
) -> dict[tuple[int, str], UnitCount]:
    """Every unit's count on `day` that has a figure by then.

    `ancestors` maps a unit to itself and the units above it (an event counts for every
    unit whose subtree holds it); `events` must cover every day after the oldest figure
    used, through `day`, with lapses as known on `day`.
    """
    latest = latest_figures(figures, day)
    changes: dict[tuple[int, str], CountChanges] = {key: CountChanges() for key in latest}
    for event in events:
        if event.day > day:
            continue
        step = CountChanges(event.new, event.rejoined, event.lapsed)
        for unit_id in ancestors.get(event.unit_id, (event.unit_id,)):
            key = (unit_id, event.program)
            figure = latest.get(key)
            if figure is not None and event.day > figure.as_of:
                changes[key] = changes[key] + step
    return {key: UnitCount(figure, changes[key]) for key, figure in latest.items()}


def ancestors_from_lineage(lineages: Mapping[int, str]) -> dict[int, tuple[int, ...]]:
    """`{9: '/1/4/9/'}` -> `{9: (9, 4, 1)}`: a unit and the units above it."""
    return {
        unit_id: tuple(int(part) for part in reversed(lineage.strip("/").split("/")))
        for unit_id, lineage in lineages.items()
    }
