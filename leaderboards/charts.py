"""Charts for a phone screen: data in, PNG bytes out.

Two charts, both 1080 px wide (a phone shows a photo across the chat at full width,
and Telegram keeps 1,280 px on the long side) with type large enough to read without
zooming:

- progress: one horizontal bar of completion % per member or child unit, a 100% line
  and a pace marker at the expected-by-today %;
- trend: a period's cumulative achieved against the plan line (target pro rata by day).

Pure apart from matplotlib: the caller passes text already translated and numbers
already chosen, so the same data always gives the same picture. Only the object API
is used (no pyplot state), so a figure can be drawn in any worker thread or process.
Text is drawn in DejaVu Sans, which ships with matplotlib and has every Vietnamese
letter; a character the font lacks (an emoji in a name) is replaced rather than drawn
as an empty box.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

FONT_FAMILY = "DejaVu Sans"
WIDTH_PX = 1080
DPI = 100
MAX_BARS = 15
"""More bars would not fit a phone screen at a readable size; callers pick the top ones."""
NAME_CHARS = 22

_BLUE, _GREEN, _ORANGE, _GREY, _RED = "#1f6fb2", "#2e9d4f", "#e07b00", "#9aa5b1", "#c62828"
_FONT = {"family": FONT_FAMILY}


@cache
def font_path() -> str:
    properties = font_manager.FontProperties(family=FONT_FAMILY)
    return str(font_manager.findfont(properties, fallback_to_default=False))


@cache
def font_codepoints() -> frozenset[int]:
    """Every character the chart font can draw (from its cmap table)."""
    with TTFont(font_path(), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` (NFC) that the chart font cannot draw."""
    drawable = font_codepoints()
    return {char for char in unicodedata.normalize("NFC", text) if ord(char) not in drawable}


def drawable(text: str) -> str:
    """`text` as the chart will draw it: NFC, missing characters replaced by `?`."""
    text = unicodedata.normalize("NFC", text)
    lacking = missing_glyphs(text)
    return "".join("?" if char in lacking else char for char in text) if lacking else text


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int | None
    """Floored completion %; None when there is no target (drawn as an empty bar)."""
    highlight: bool = False
    """The viewer's own line."""


@dataclass(frozen=True)
class ProgressChart:
    title: str
    subtitle: str
    bars: Sequence[Bar]
    """Best first; at most MAX_BARS are drawn."""
    pace_percent: int | None
    """Expected-by-today, in % of target: None for a closed period (it would sit on 100)."""
    pace_label: str
    no_target_label: str = "–"


@dataclass(frozen=True)
class TrendChart:
    title: str
    subtitle: str
    first: date
    """The period's first day."""
    cumulative: Sequence[int]
    """Cumulative achieved at the end of each day from `first`, up to today at most."""
    days: int
    """The period's length in days."""
    target: int | None
    achieved_label: str
    plan_label: str
    thousands: str = "."
    extra: dict[str, str] = field(default_factory=dict)


def _figure(height_px: int) -> Figure:
    figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # Fast zlib level: a flat chart compresses well anyway, and encoding is most of the cost.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _headings(figure: Figure, title: str, subtitle: str, top_px: float, height_px: int) -> None:
    figure.text(0.04, 1 - 40 / height_px, drawable(title), fontsize=30, fontweight="bold",
                va="top", fontdict=_FONT)  # fmt: skip
    figure.text(0.04, 1 - 100 / height_px, drawable(subtitle), fontsize=21, color="#444444",
                va="top", fontdict=_FONT)  # fmt: skip


def render_progress(chart: ProgressChart) -> bytes:
    """Horizontal completion bars, best at the top, with the 100% line and pace marker."""
    bars = list(chart.bars)[:MAX_BARS]
    rows = max(len(bars), 1)
    header, footer, per_bar = 170, 90, 62
    height = header + footer + rows * per_bar
    figure = _figure(height)
    _headings(figure, chart.title, chart.subtitle, header, height)
    axes = figure.add_axes((0.34, footer / height, 0.60, rows * per_bar / height))
    positions = list(range(len(bars)))[::-1]
    values = [min(bar.percent or 0, 150) for bar in bars]
    colours = [
        _ORANGE if bar.highlight else _GREEN if (bar.percent or 0) >= 100 else _BLUE
        for bar in bars
    ]
    axes.barh(positions, values, height=0.68, color=colours)
    top = max(150 if any((bar.percent or 0) > 110 for bar in bars) else 110, 10)
    axes.set_xlim(0, top)
    axes.set_ylim(-0.6, rows - 0.4)
    axes.set_yticks(positions, [drawable(_short(bar.label)) for bar in bars], fontsize=21,
                    fontdict=_FONT)  # fmt: skip
    axes.tick_params(axis="x", labelsize=17)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f}%"))
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.axvline(100, color=_RED, linewidth=2.5)
    for position, bar, value in zip(positions, bars, values, strict=True):
        text = chart.no_target_label if bar.percent is None else f"{bar.percent}%"
        inside = value > top * 0.8
        axes.text(value - 1.5 if inside else value + 1.5, position, drawable(text), fontsize=20,
                  va="center", ha="right" if inside else "left",
                  color="white" if inside else "#222222", fontweight="bold")  # fmt: skip
    if chart.pace_percent is not None:
        pace = min(chart.pace_percent, top)
        axes.axvline(pace, color=_GREY, linewidth=2.5, linestyle=(0, (6, 4)))
        axes.text(pace, rows - 0.45, drawable(chart.pace_label), fontsize=17, color="#555555",
                  ha="center", va="bottom")  # fmt: skip
    return _png(figure)


def render_trend(chart: TrendChart) -> bytes:
    """Cumulative achieved by day against the straight plan line to the target."""
    height = 1000
    figure = _figure(height)
    _headings(figure, chart.title, chart.subtitle, 170, height)
    axes = figure.add_axes((0.12, 0.1, 0.84, 0.68))
    day_numbers = list(range(1, len(chart.cumulative) + 1))
    achieved = list(chart.cumulative)
    axes.plot([0, *day_numbers], [0, *achieved], color=_BLUE, linewidth=4,
              label=drawable(chart.achieved_label))  # fmt: skip
    axes.fill_between([0, *day_numbers], [0, *achieved], color=_BLUE, alpha=0.12, linewidth=0)
    highest = max([*achieved, 1])
    if chart.target is not None:
        axes.plot([0, chart.days], [0, chart.target], color=_RED, linewidth=3,
                  linestyle=(0, (8, 5)), label=drawable(chart.plan_label))  # fmt: skip
        highest = max(highest, chart.target)
    axes.set_xlim(0, chart.days)
    axes.set_ylim(0, highest * 1.08)
    separator = chart.thousands

    def number(value: float, _: object) -> str:
        return f"{value:,.0f}".replace(",", separator)

    def day_label(value: float, _: object) -> str:
        day = chart.first + timedelta(days=max(int(round(value)) - 1, 0))
        return day.strftime("%d/%m")

    axes.yaxis.set_major_formatter(FuncFormatter(number))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, min_n_ticks=3))
    axes.xaxis.set_major_formatter(FuncFormatter(day_label))
    axes.tick_params(labelsize=18)
    axes.grid(axis="y", color="#dddddd")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.legend(loc="upper left", fontsize=20, frameon=False)
    if achieved:
        axes.annotate(number(achieved[-1], None), (day_numbers[-1], achieved[-1]), fontsize=20,
                      fontweight="bold", color=_BLUE, xytext=(-8, 10),
                      textcoords="offset points", ha="right")  # fmt: skip
    return _png(figure)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
