"""Message catalogues, one TOML file per language, and the translator handlers receive.

A channel may word a message its own way: SMS reads the `sms.<key>` variant (folded into
ASCII), and a channel that shows buttons as a numbered list (Zalo, the console) reads
`numbered.<key>` where one exists, so it never says "press a button".

A message is a `str.format` template; a table `{ one = ..., other = ... }` picks the
CLDR plural form of its `n` parameter (Vietnamese has one form, English two). Integer
parameters are written as the language writes numbers (`1.609` in Vietnamese) and
dates as dd/mm/yyyy, so handlers pass values, never formatted text.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import get_group_symbol

from tracker.text import ascii_letters, tidy_lines

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_HERE = Path(__file__).resolve().parent


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        is_plural = isinstance(value, dict) and "other" in value
        if isinstance(value, dict) and not is_plural:
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = value
    return flat


@cache
def catalogue(language: str) -> dict[str, Any]:
    """`vi.toml` plus every `vi.<feature>.toml`: each feature keeps its messages apart."""
    messages: dict[str, Any] = {}
    for path in sorted(_HERE.glob(f"{language}.*toml")):
        with path.open("rb") as file:
            messages.update(_flatten(tomllib.load(file)))
    return messages


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _group_symbol(language: str) -> str:
    return get_group_symbol(language)


@cache  # looked up several times for every reply
def _template(language: str, plain: bool, key: str, numbered: bool = False) -> Any:
    """The message for `key`; for SMS, its `sms.` variant if any, folded into ASCII; for a
    channel with numbered choices, its `numbered.` variant if any."""
    messages = catalogue(language)
    if numbered and not plain:
        numbered_key = f"numbered.{key}"
        if numbered_key in messages or numbered_key in catalogue(DEFAULT_LANGUAGE):
            return _template(language, False, numbered_key)
    if plain:
        sms_key = f"sms.{key}"
        found = messages[sms_key] if sms_key in messages else _template(language, False, key)
        if isinstance(found, dict):
            return {form: ascii_letters(text) for form, text in found.items()}
        return ascii_letters(found)
    if key in messages:
        return messages[key]
    fallback = catalogue(DEFAULT_LANGUAGE)
    if key in fallback:
        return fallback[key]
    raise KeyError(f"no message {key!r} in any catalogue")


def language_or_default(code: str | None) -> str:
    """The supported language closest to `code` (`en-US` -> `en`); Vietnamese otherwise."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """Renders message keys in one language. `plain` drops diacritics (for SMS);
    `numbered`: the channel shows choices as a numbered list, not buttons."""

    language: str = DEFAULT_LANGUAGE
    plain: bool = False
    numbered: bool = False

    def __call__(self, key: str, **params: Any) -> str:
        template = self._template(key)
        if isinstance(template, dict):
            form = _locale(self.language).plural_form(params.get("n", 0))
            template = template.get(form, template["other"])
        if not self.plain:
            return str(template).format(**{name: self._value(v) for name, v in params.items()})
        # The template is ASCII already (folded once, when first looked up): only what
        # is filled in still needs folding.
        values = {name: ascii_letters(str(self._value(v))) for name, v in params.items()}
        return tidy_lines(str(template).format(**values))

    def _template(self, key: str) -> Any:
        return _template(self.language, self.plain, key, self.numbered)

    def _value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return self.number(value)
        if isinstance(value, date):
            return self.day(value)
        return value

    def number(self, value: int) -> str:
        # Babel's data, applied directly: format_decimal re-reads the pattern every call,
        # and a reply formats several numbers on the hot path of every log.
        return f"{value:,}".replace(",", _group_symbol(self.language))

    def day(self, value: date) -> str:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"

    def has(self, key: str) -> bool:
        return key in catalogue(self.language) or key in catalogue(DEFAULT_LANGUAGE)
