"""Chart text drawn as glyph outlines, each character's outline loaded once per process.

Why not `Figure.text`: matplotlib 3.11 shapes every string with libraqm and rasterises
every glyph through FreeType on each draw, about 0.1 ms a character; a chart carries
some 300 characters, which alone would blow the 30 ms render budget. Here a string
becomes a matplotlib `Path` from outlines cached per character (matplotlib's own
FT2Font reads them from DejaVu Sans), all text of one colour is one `PathPatch`, and
Agg fills it in a single call. Precomposed Vietnamese letters (NFC) are single glyphs
in DejaVu Sans, so laying out by advance width plus pair kerning is exact for them.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import defaultdict
from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, Kerning, LoadFlags
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.transforms import IdentityTransform

FONT_FAMILY = "DejaVu Sans"
_UNITS = 100.0  # outlines are read at 100 pt / 72 dpi: 1 unit = 1/100 of the em
_CAP_HEIGHT = 0.73  # DejaVu Sans, in em: where "centre" puts the middle of capitals
_ASCENT = 0.93

HAlign = Literal["left", "center", "right"]
VAlign = Literal["baseline", "center", "top"]
Outline = tuple[float, npt.NDArray[np.float64], npt.NDArray[np.uint8]]


@cache
def font_file(bold: bool = False) -> str:
    properties = font_manager.FontProperties(
        family=FONT_FAMILY, weight="bold" if bold else "normal"
    )
    return str(font_manager.findfont(properties, fallback_to_default=False))


class Face:
    """One font file: per-character advance and outline, per-pair kerning, cached."""

    def __init__(self, path: str) -> None:
        self._font = FT2Font(path)
        self._font.set_size(_UNITS, 72)
        self._outlines: dict[str, Outline] = {}
        self._kerning: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()  # FT2Font holds one "current glyph": one loader at a time
        self.codepoints = frozenset(self._font.get_charmap())

    def outline(self, char: str) -> Outline:
        found = self._outlines.get(char)
        if found is None:
            with self._lock:
                glyph = self._font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
                vertices, codes = self._font.get_path()
                found = (glyph.linearHoriAdvance / 65536, vertices, codes.astype(np.uint8))
            self._outlines[char] = found
        return found

    def kerning(self, left: str, right: str) -> float:
        pair = (left, right)
        found = self._kerning.get(pair)
        if found is None:
            with self._lock:
                found = (
                    self._font.get_kerning(
                        self._font.get_char_index(ord(left)),
                        self._font.get_char_index(ord(right)),
                        Kerning.UNFITTED,
                    )
                    / 64
                )
            self._kerning[pair] = found
        return found

    def width(self, text: str) -> float:
        """Advance width of `text` in units (1/100 em)."""
        total, previous = 0.0, ""
        for char in text:
            total += self.outline(char)[0] + (self.kerning(previous, char) if previous else 0)
            previous = char
        return total


@cache
def face(bold: bool = False) -> Face:
    return Face(font_file(bold))


def normal_form(text: str) -> str:
    """NFC, and any character the font lacks (an emoji in a name) replaced by `?`."""
    text = unicodedata.normalize("NFC", text)
    regular, bold = face(False).codepoints, face(True).codepoints
    return "".join(c if ord(c) in regular and ord(c) in bold else "?" for c in text)


class TextLayer:
    """Strings collected in figure pixels (origin bottom left), drawn as one patch a colour."""

    def __init__(self) -> None:
        self._vertices: dict[str, list[npt.NDArray[np.float64]]] = defaultdict(list)
        self._codes: dict[str, list[npt.NDArray[np.uint8]]] = defaultdict(list)

    @staticmethod
    def width(text: str, size: float, bold: bool = False) -> float:
        return face(bold).width(normal_form(text)) * size / _UNITS

    def fit(self, text: str, size: float, room: float, bold: bool = False) -> str:
        """`text`, cut with an ellipsis where it would run wider than `room` pixels."""
        if self.width(text, size, bold) <= room:
            return text
        while text and self.width(text + "…", size, bold) > room:
            text = text[:-1]
        return text.rstrip() + "…"

    def add(
        self,
        text: str,
        x: float,
        y: float,
        size: float,
        *,
        colour: str = "#222222",
        bold: bool = False,
        ha: HAlign = "left",
        va: VAlign = "baseline",
    ) -> None:
        """Place `text` (size in pixels per em) anchored at (x, y) pixels."""
        text = normal_form(text)
        font = face(bold)
        scale = size / _UNITS
        width = font.width(text) * scale
        pen_x = x - {"left": 0.0, "center": width / 2, "right": width}[ha]
        baseline = y - {"baseline": 0.0, "center": _CAP_HEIGHT / 2, "top": _ASCENT}[va] * size
        previous = ""
        for char in text:
            advance, vertices, codes = font.outline(char)
            if previous:
                pen_x += font.kerning(previous, char) * scale
            if len(vertices):
                self._vertices[colour].append(vertices * scale + (pen_x, baseline))
                self._codes[colour].append(codes)
            pen_x += advance * scale
            previous = char

    def draw_on(self, figure: Figure) -> None:
        for colour, parts in self._vertices.items():
            path = Path(np.concatenate(parts), np.concatenate(self._codes[colour]))
            figure.add_artist(
                PathPatch(
                    path, transform=IdentityTransform(), facecolor=colour, linewidth=0, zorder=5
                )
            )  # above every line and bar: a label is never hidden by the pace marker
