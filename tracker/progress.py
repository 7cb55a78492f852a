"""Progress against a target: completion, what should be done by today, pace, projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.percent import Percent, completion_hundredths
from tracker.periods import Period
from tracker.quotas import divide_half_up


class Pace(StrEnum):
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"


@dataclass(frozen=True)
class Progress:
    """One program's progress for one period, as of one local day."""

    period: Period
    achieved: int
    target: int | None
    completion: int | None
    """Completion in hundredths of a percent, floored: 99,999% is not yet 100,00%."""
    expected: int | None
    """What the target asks for by the end of today."""
    pace: Pace | None
    gap: int
    """How far ahead or behind, in participants (never negative)."""
    projection: int
    """Where the period ends if the pace so far holds."""
    closed: bool = False
    """The period is over: it reads met, exceeded or short, never a pace."""

    @property
    def reached(self) -> bool:
        return self.target is not None and self.target > 0 and self.achieved >= self.target

    @property
    def percent(self) -> Percent | None:
        """The completion as a message shows it."""
        return None if self.completion is None else Percent(self.completion)


def measure(period: Period, achieved: int, target: int | None, today: date) -> Progress:
    """Progress of `achieved` against `target` over `period`, counting today as elapsed."""
    elapsed = period.elapsed_days(today)
    projection = achieved if elapsed == 0 else divide_half_up(achieved * period.days, elapsed)
    closed = today > period.last
    if target is None:
        return Progress(period, achieved, None, None, None, None, 0, projection, closed)
    expected = divide_half_up(target * elapsed, period.days)
    difference = achieved - expected
    pace = Pace.AHEAD if difference > 0 else Pace.BEHIND if difference < 0 else Pace.ON_TRACK
    return Progress(
        period=period,
        achieved=achieved,
        target=target,
        completion=completion_hundredths(achieved, target),
        expected=expected,
        pace=pace,
        gap=abs(difference),
        projection=projection,
        closed=closed,
    )
