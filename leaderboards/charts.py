"""Charts for a phone screen: data in, PNG bytes out.

- progress: one horizontal bar of completion % per member or child unit, best first,
  with a 100% line and a pace marker at the expected-by-today %;
- trend: a period's cumulative achieved against the plan line (target pro rata by day).

Both are 1,080 px wide (a phone shows a photo across the chat, and Telegram keeps
1,280 px on the long side) with 26-40 px type, readable without zooming. The layout is
in pixels on a bare matplotlib figure (no Axes: nothing to tick or lay out), text goes
through `chart_text` (glyph outlines, see why there), and the PNG is written with fast
compression: together they keep a chart near 20 ms, so thousands of group summaries on
a Monday morning are bound by Telegram's rate, not by drawing.

Pure apart from matplotlib: the caller passes text already translated, so the same data
always gives the same picture. A figure is its own object (no pyplot state), so charts
may be drawn in a worker thread or process.

Imported where a picture is drawn, never at the top of a module the bot loads at start
(commands.chart, scheduling.runner): matplotlib, numpy and Pillow hold about 45 MB of a
process that may never draw (issue 15); what a chart shows lives in `chart_data`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import IdentityTransform
from PIL import Image

from leaderboards.chart_data import MAX_BARS, ProgressChart, TrendChart
from leaderboards.chart_text import TextLayer, face, font_file
from tracker.percent import format_percent

WIDTH = 1080
BLUE, GREEN, ORANGE, GREY = "#1f6fb2", "#2e9d4f", "#e07b00", "#8a96a3"
RED, INK = "#c62828", "#222222"
_PIXELS = IdentityTransform()


def glyphs_missing(text: str) -> set[str]:
    """Characters of `text` that the chart font cannot draw (checked in its cmap)."""
    regular, bold = face(False).codepoints, face(True).codepoints
    return {char for char in text if ord(char) not in regular or ord(char) not in bold}


def chart_font_files() -> tuple[str, str]:
    """The regular and bold font files every chart is drawn with."""
    return font_file(False), font_file(True)


def _canvas(height: int) -> Figure:
    figure = Figure(figsize=(WIDTH / 100, height / 100), dpi=100, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _palette() -> Image.Image:
    """White, then 31 steps from white to each colour the charts use: every antialiased
    edge on white has its exact shade, and the PNG is one byte a pixel."""
    inks = [BLUE, GREEN, ORANGE, GREY, RED, INK, "#555555", "#dddddd"]
    shades: list[tuple[int, ...]] = [(255, 255, 255)]
    for ink in inks:
        rgb = [int(ink[i : i + 2], 16) for i in (1, 3, 5)]
        for step in range(1, 32):
            shade = tuple(round(255 + (v - 255) * step / 31) for v in rgb)
            # Pillow matches colours at reduced precision: a shade within a few levels
            # of white would catch the white background itself.
            if 255 - min(shade) >= 8 and shade not in shades:
                shades.append(shade)
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for shade in shades for value in shade])
    return palette


_PALETTE = _palette()


def _png(figure: Figure, text: TextLayer) -> bytes:
    text.draw_on(figure)
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()  # type: ignore[no-untyped-call]  # (matplotlib leaves these two untyped)
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    image = Image.frombuffer("RGBA", canvas.get_width_height(), pixels).convert("RGB")
    # Paletted: zlib then packs a third of the bytes, the slowest step of drawing halved.
    indexed = image.quantize(palette=_PALETTE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    indexed.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _line(
    figure: Figure,
    xs: Sequence[float],
    ys: Sequence[float],
    colour: str,
    width: float,
    dashes: tuple[float, float] | None = None,
) -> None:
    line = Line2D(xs, ys, color=colour, linewidth=width, transform=_PIXELS)
    if dashes:
        line.set_linestyle((0.0, dashes))
    figure.add_artist(line)


def _headings(text: TextLayer, title: str, subtitle: str, height: int) -> None:
    size = 40  # a long title (a week with its dates) shrinks a little before it is cut
    while size > 30 and text.width(title, size, bold=True) > WIDTH - 88:
        size -= 2
    title = text.fit(title, size, WIDTH - 88, bold=True)
    text.add(title, 44, height - 36 - (40 - size) / 2, size, bold=True, va="top")
    text.add(text.fit(subtitle, 28, WIDTH - 88), 44, height - 96, 28, colour="#555555", va="top")


def render_progress(chart: ProgressChart) -> bytes:
    """Horizontal completion bars, best at the top, with the 100% line and pace marker."""
    bars = list(chart.bars)[:MAX_BARS]
    rows, row_height, header, footer = max(len(bars), 1), 64, 200, 64
    height = header + footer + rows * row_height
    figure, text = _canvas(height), TextLayer()
    _headings(text, chart.title, chart.subtitle, height)
    left, right = 400.0, WIDTH - 60.0
    scale_top = 150 if any((bar.completion or 0) > 11_500 for bar in bars) else 120
    per_percent = (right - left) / scale_top
    plot_bottom, plot_top = float(footer), float(footer + rows * row_height)
    for index, bar in enumerate(bars):
        middle = plot_top - (index + 0.5) * row_height
        label = text.fit(bar.label, 28, left - 60)
        text.add(label, left - 16, middle, 28, ha="right", va="center", bold=bar.highlight)
        value = min((bar.completion or 0) / 100, scale_top)
        colour = ORANGE if bar.highlight else GREEN if value >= 100 else BLUE
        figure.add_artist(
            Rectangle((left, middle - 21), value * per_percent, 42, color=colour, transform=_PIXELS)
        )
        shown = "\u2013" if bar.completion is None else format_percent(bar.completion, whole=True)
        end = left + value * per_percent
        if value > scale_top * 0.82:  # no room after the bar: write inside it
            text.add(
                shown, end - 10, middle, 26, colour="white", bold=True, ha="right", va="center"
            )
        else:  # on a white card, so the pace marker passing behind does not cut it
            card = text.width(shown, 26, bold=True) + 16
            figure.add_artist(
                Rectangle(
                    (end + 2, middle - 17), card, 34, color="white", zorder=4, transform=_PIXELS
                )
            )
            text.add(shown, end + 10, middle, 26, colour=INK, bold=True, va="center")
    _line(figure, [left, left], [plot_bottom, plot_top], GREY, 2)
    hundred = left + 100 * per_percent
    _line(figure, [hundred, hundred], [plot_bottom - 6, plot_top + 6], RED, 3)
    text.add("0%", left, plot_bottom - 12, 24, colour="#555555", ha="center", va="top")
    text.add("100%", hundred, plot_bottom - 12, 24, colour=RED, ha="center", va="top")
    if chart.pace_completion is not None:
        pace = left + min(chart.pace_completion / 100, scale_top) * per_percent
        _line(figure, [pace, pace], [plot_bottom, plot_top + 6], "#555555", 3, (5, 4))
        text.add(
            chart.pace_label,
            min(max(pace, 560), WIDTH - 180),
            plot_top + 14,
            24,
            colour="#555555",
            ha="center",
        )
    return _png(figure, text)


def _number(value: float, separator: str) -> str:
    return f"{value:,.0f}".replace(",", separator)


def _step(highest: float) -> float:
    """A round gridline step giving 3-6 lines up to `highest`."""
    step = 1.0
    while highest / step > 6:
        for factor in (2, 2.5, 2):
            step *= factor
            if highest / step <= 6:
                break
    return step


def render_trend(chart: TrendChart) -> bytes:
    """Cumulative achieved by day against the straight plan line to the target."""
    height = 900
    figure, text = _canvas(height), TextLayer()
    _headings(text, chart.title, chart.subtitle, height)
    left, right, bottom, top = 150.0, WIDTH - 50.0, 100.0, height - 270.0
    achieved = list(chart.cumulative)
    highest = max([*achieved, chart.target or 0, 1]) * 1.08
    step = _step(highest)

    def at(day: float, value: float) -> tuple[float, float]:
        return left + (right - left) * day / chart.days, bottom + (top - bottom) * value / highest

    level = 0.0
    while level <= highest:
        y = at(0, level)[1]
        _line(figure, [left, right], [y, y], "#dddddd" if level else GREY, 2)
        text.add(
            _number(level, chart.thousands),
            left - 14,
            y,
            24,
            colour="#555555",
            ha="right",
            va="center",
        )
        level += step
    every = max(1, round(chart.days / 5))
    marked = list(range(0, chart.days, every))
    if chart.days - 1 - marked[-1] >= every / 2:
        marked.append(chart.days - 1)  # the last day, unless it would crowd the one before
    for day in marked:
        label = (chart.first + timedelta(days=day)).strftime("%d/%m")
        text.add(label, at(day + 1, 0)[0], bottom - 16, 24, colour="#555555", ha="center", va="top")
    if chart.target is not None:
        xs, ys = zip(at(0, 0), at(chart.days, chart.target), strict=True)
        _line(figure, xs, ys, RED, 4, (9, 6))
    if achieved:
        points = [at(0, 0), *(at(day + 1, value) for day, value in enumerate(achieved))]
        floor = [at(len(achieved), 0), at(0, 0)]
        figure.add_artist(
            Polygon(
                points + floor,
                closed=True,
                facecolor=BLUE,
                alpha=0.12,
                linewidth=0,
                transform=_PIXELS,
            )
        )
        xs, ys = zip(*points, strict=True)
        _line(figure, xs, ys, BLUE, 5)
        last_x, last_y = points[-1]
        label = _number(achieved[-1], chart.thousands)
        width = text.width(label, 30, bold=True)
        if right - last_x > width + 30:  # the period goes on: write it after the line's end
            left_edge, middle = last_x + 14, last_y
        else:  # the period is over: above the end when ahead of plan, below when behind
            planned = (chart.target or 0) * len(achieved) / chart.days
            left_edge = last_x - 14 - width
            middle = last_y + 36 if achieved[-1] >= planned else last_y - 36
        # On a white card: the plan line may pass right there.
        card = Rectangle((left_edge - 6, middle - 20), width + 12, 40, color="white", zorder=4,
                         transform=_PIXELS)  # fmt: skip
        figure.add_artist(card)
        text.add(label, left_edge, middle, 30, colour=BLUE, bold=True, va="center")
    legend_y = height - 196.0
    _line(figure, [44, 104], [legend_y, legend_y], BLUE, 5)
    text.add(chart.achieved_label, 122, legend_y, 28, va="center")
    if chart.target is not None:
        start = 122 + text.width(chart.achieved_label, 28) + 60
        _line(figure, [start, start + 60], [legend_y, legend_y], RED, 4, (9, 6))
        text.add(chart.plan_label, start + 72, legend_y, 28, va="center")
    return _png(figure, text)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) read from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
