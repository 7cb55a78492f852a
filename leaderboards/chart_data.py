"""What a chart shows, before it is drawn: pure data, no drawing library.

Apart from `leaderboards.charts` (matplotlib, numpy and Pillow: about 45 MB resident)
so that building a summary's data, and importing the bot, do not load the drawing
stack; only drawing a picture does (issue 15: a bot process's memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

MAX_BARS = 15
"""More bars would not fit a phone screen at a readable size: callers pick the top ones."""


@dataclass(frozen=True)
class Bar:
    label: str
    completion: int | None
    """Floored completion in hundredths of a percent; None when there is no target (no
    bar, a dash). Labelled as a whole percent: a chart label has no room for more."""
    highlight: bool = False
    """The viewer's own line, drawn in another colour."""


@dataclass(frozen=True)
class ProgressChart:
    title: str
    subtitle: str
    bars: Sequence[Bar]
    """Best first; the first MAX_BARS are drawn."""
    pace_completion: int | None
    """Expected-by-today in hundredths of a percent of target; None for a closed period
    (it would sit on 100)."""
    pace_label: str
    """Shown over the pace marker, e.g. `cần đạt hôm nay 77%`."""


@dataclass(frozen=True)
class TrendChart:
    title: str
    subtitle: str
    first: date
    """The period's first day."""
    days: int
    """The period's length in days."""
    cumulative: Sequence[int]
    """Cumulative achieved at the end of each day from `first`, up to today at most."""
    target: int | None
    achieved_label: str
    plan_label: str
    thousands: str = "."
    """The group separator of the reader's language (`1.609` in Vietnamese)."""
