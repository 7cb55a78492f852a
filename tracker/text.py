"""Forgiving text: accents, case and spacing never matter in what users type."""

from __future__ import annotations

import unicodedata

_UNACCENTED = str.maketrans({"đ": "d", "Đ": "D"})


def strip_accents(text: str) -> str:
    """`Tháng Đủ` -> `Thang Du`: Vietnamese without diacritics (what fits GSM-7)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_UNACCENTED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """A comparison key: no accents, lower case, single spaces."""
    return " ".join(strip_accents(text).lower().split())


# En and em dash, middle dot, ellipsis, curly quotes: their nearest GSM-7 forms.
_ASCII_LOOKALIKES = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u00b7": "-", "\u2026": "...", "\u201c": '"', "\u201d": '"'}
)


def plain_ascii(text: str) -> str:
    """What an SMS can carry in GSM-7: no diacritics, no emoji, single spaces per line."""
    ascii_only = strip_accents(text.translate(_ASCII_LOOKALIKES)).encode("ascii", "ignore")
    lines = (" ".join(line.split()) for line in ascii_only.decode().splitlines())
    return "\n".join(line for line in lines if line)
