"""What every spreadsheet we send shares: text never read as a formula."""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet must show as text, never evaluate: `=`, `+`, `-`, `@`, tab or
    CR first get a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
