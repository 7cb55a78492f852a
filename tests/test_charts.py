"""Charts: real PNGs of the promised size, drawn in a font that has every Vietnamese letter."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from leaderboards.chart_data import MAX_BARS, Bar, ProgressChart, TrendChart
from leaderboards.chart_text import normal_form
from leaderboards.charts import (
    WIDTH,
    chart_font_files,
    glyphs_missing,
    png_size,
    render_progress,
    render_trend,
)
from locales import catalogue

# Every letter Vietnamese writes, upper and lower case, in NFC (precomposed) form.
_BASES = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
VIETNAMESE = (
    "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in _BASES + _BASES.upper()
        for tone in ("", *_TONES)
    )
    + "đĐbcdghklmnpqrstvxBCDGHKLMNPQRSTVX"
)

NAMES = ["Nguyễn Thị Lan", "Phạm Văn Nam", "Vũ Thị Hoa", "Trần Minh Đức", "Đỗ Ưng Hoàng Phúc"]


def progress_chart(bars: list[Bar], pace: int | None = 7_700) -> ProgressChart:
    return ProgressChart(
        "Phường Hạc Thành · Tháng 11/2026", "Hoàn thành kế hoạch, đến ngày 23/11/2026",
        bars, pace, "cần đạt hôm nay 77%",
    )  # fmt: skip


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_every_vietnamese_letter_is_in_both_chart_fonts_cmap() -> None:
    assert len(VIETNAMESE) == 2 * 12 * 6 + 2 + 2 * 16  # tones on 12 vowels, đ, consonants
    for path in chart_font_files():
        assert Path(path).name in {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}
        with TTFont(path) as font:
            cmap = font.getBestCmap()
        assert [char for char in VIETNAMESE if ord(char) not in cmap] == []
    assert glyphs_missing(VIETNAMESE) == set()


def test_every_chart_message_of_the_catalogues_can_be_drawn() -> None:
    for language in ("vi", "en"):
        drawn = {k: v for k, v in catalogue(language).items() if k.startswith("chart.")}
        texts = [v for k, v in drawn.items() if k not in ("chart.sent", "chart.empty")]
        assert texts and all(glyphs_missing(text) == set() for text in texts)


def test_text_is_normalised_and_a_character_the_font_lacks_is_replaced() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    assert normal_form(decomposed) == "Nguyễn Thị Lan"
    assert glyphs_missing("Lan 🌸") == {"🌸"}
    assert normal_form("Lan 🌸") == "Lan ?"


def test_progress_chart_is_a_phone_sized_png() -> None:
    bars = [
        Bar(name, percent)
        for name, percent in zip(NAMES, [13_200, 10_000, 8_500, 4_000, None], strict=True)
    ]
    png = render_progress(progress_chart(bars))
    width, height = png_size(png)
    assert width == WIDTH >= 1000
    assert height == 200 + 64 + 5 * 64
    image = pixels(png)
    assert image.size == (width, height)
    # The 100% line (red) crosses the bars' area; a 132% bar is green beyond it.
    hundred_x = round(400 + 100 * (WIDTH - 460) / 150)
    assert image.getpixel((hundred_x, height - 100)) == (0xC6, 0x28, 0x28)
    first_row = 200 + 64 // 2
    assert image.getpixel((hundred_x + 30, first_row)) == (0x2E, 0x9D, 0x4F)


def test_progress_chart_draws_at_most_max_bars() -> None:
    bars = [Bar(f"Cán bộ số {n}", 10_000 - 100 * n) for n in range(40)]
    assert png_size(render_progress(progress_chart(bars)))[1] == 200 + 64 + MAX_BARS * 64


def test_text_with_diacritics_leaves_ink_where_it_is_written() -> None:
    # The title, in bold dark ink, is drawn across the top left: diacritics and all.
    image = pixels(render_progress(progress_chart([Bar("Đỗ Ưng", 5_000)], pace=None)))
    title_band = image.crop((44, 36, 600, 90)).convert("L")
    dark = sum(title_band.histogram()[:0x60])
    assert dark > 2000


def test_trend_chart_png() -> None:
    cumulative = [0, 5, 12, 12, 30, 41, 44]
    chart = TrendChart(
        "Phường Hạc Thành · Tuần 47", "Lũy kế người tham gia so với kế hoạch",
        date(2026, 11, 16), 7, cumulative, 50, "Đã đạt", "Kế hoạch 50",
    )  # fmt: skip
    png = render_trend(chart)
    assert png_size(png) == (WIDTH, 900)
    assert pixels(png).size == (WIDTH, 900)
    # Without a target and before anything is logged the chart still draws.
    empty = TrendChart("Tổ 1", "Lũy kế", date(2026, 11, 1), 30, [], None, "Đã đạt", "—")
    assert png_size(render_trend(empty)) == (WIDTH, 900)


def test_save_a_sample_for_eyes(tmp_path: Path) -> None:
    """Not an assertion of looks: a file to open when changing the layout."""
    bars = [
        Bar(name, p, name == "Vũ Thị Hoa")
        for name, p in zip(NAMES, [13_200, 10_000, 8_500, 4_000, 700], strict=True)
    ]
    (tmp_path / "progress.png").write_bytes(render_progress(progress_chart(bars)))
    assert (tmp_path / "progress.png").stat().st_size > 10_000


@pytest.mark.parametrize("completion", [0, 9_999, 10_000, 15_000, 40_000])
def test_any_percent_draws(completion: int) -> None:
    assert png_size(render_progress(progress_chart([Bar("Lan", completion)])))[0] == WIDTH
