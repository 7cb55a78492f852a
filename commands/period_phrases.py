"""Periods the way people say them: `tháng 10`, `T10`, `quý IV`, `tháng trước`, `11/2026`.

Works on folded tokens (`commands.grammar.tokens`), so accents and case never matter.
A period word followed by a number that fits it is that period (`tháng 12` is December,
never "this month, 12"); the reader says so (`number_read`), so a command that also
expects a number after the period can ask which was meant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    InvalidPeriod,
    Period,
    PeriodKind,
    PeriodOutOfRange,
    parse_period,
    period_containing,
)

PERIOD_WORDS = {
    PeriodKind.WEEK: ("t", "tuan", "week", "w"),
    PeriodKind.MONTH: ("th", "thang", "month", "m"),
    PeriodKind.QUARTER: ("q", "quy", "quarter"),
    PeriodKind.YEAR: ("n", "nam", "year", "y"),
}
WORD_TO_KIND = {word: kind for kind, words in PERIOD_WORDS.items() for word in words}
# How far from the period containing today: `tháng này` 0, `tháng trước` -1.
SHIFT_WORDS = {
    "nay": 0,
    "this": 0,
    "truoc": -1,
    "ngoai": -1,
    "last": -1,
    "prev": -1,
    "previous": -1,
    "sau": 1,
    "toi": 1,
    "next": 1,
}
ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_KEY = re.compile(r"^\d{4}-(?:w\d{1,2}|q[1-4]|\d{1,2})$")
_NUMBER_SLASH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class PeriodPhrase:
    period: Period
    length: int
    """How many tokens the phrase took."""
    word_alone: Period | None = None
    """When a number after the word was read as part of the period (`tháng 12`): the
    period the word names alone (this month), the other way to read the line."""


class BadPeriod(ValueError):
    """The tokens look like a period but name none (`2026-13`, `13/2026`)."""


class YearOutOfRange(BadPeriod):
    """A period in a year nobody could mean (`9999`, `năm 1999`): FIRST_YEAR..LAST_YEAR."""


def read_period(words: Sequence[str], at: int, today: date) -> PeriodPhrase | None:
    """The period phrase starting at `words[at]`, or None if none starts there."""
    if at >= len(words):
        return None
    word = words[at]
    following = words[at + 1] if at + 1 < len(words) else None
    if _KEY.match(word):
        return PeriodPhrase(_keyed(word), 1)
    if word.isdigit() and len(word) == 4:
        return PeriodPhrase(_year(int(word), word), 1)
    slashed = _NUMBER_SLASH_YEAR.match(word)
    if slashed:  # `11/2026`
        return PeriodPhrase(_numbered(PeriodKind.MONTH, *map(int, slashed.groups())), 1)
    if word in SHIFT_WORDS and following in WORD_TO_KIND:  # `this month`, `last week`
        return PeriodPhrase(_shifted(WORD_TO_KIND[following], SHIFT_WORDS[word], today), 2)
    kind = WORD_TO_KIND.get(word)
    if kind is None:
        return None
    alone = period_containing(kind, today)
    if following in SHIFT_WORDS:  # `tháng trước`, `năm ngoái`, `tuần này`
        return PeriodPhrase(_shifted(kind, SHIFT_WORDS[following], today), 2)
    numbered = _word_and_number(kind, word, words[at + 1 :], today)
    if numbered is None:
        return PeriodPhrase(alone, 1)
    period, length = numbered
    return PeriodPhrase(period, 1 + length, word_alone=alone)


def _word_and_number(
    kind: PeriodKind, word: str, rest: Sequence[str], today: date
) -> tuple[Period, int] | None:
    """`tháng 10`, `T10`, `quý IV`, `tháng 10/2026`, `tháng 10 năm 2026`, `năm 2026`."""
    if not rest:
        return None
    token = rest[0]
    if word == "t" and token.isdigit():  # `T10` is month 10; `T` alone is this week
        kind = PeriodKind.MONTH
    year = today.isocalendar()[0] if kind is PeriodKind.WEEK else today.year
    slashed = _NUMBER_SLASH_YEAR.match(token)
    if slashed:
        number, year = map(int, slashed.groups())
        if not _fits(kind, number):
            raise BadPeriod(token)
        return _numbered(kind, number, year), 1
    if kind is PeriodKind.QUARTER and token in ROMAN_QUARTERS:
        number = ROMAN_QUARTERS[token]
    elif token.isdigit() and len(token) <= 4:  # no int() of a wall of digits
        number = int(token)
    else:
        return None
    if kind is PeriodKind.YEAR:
        return (_year(number, token), 1) if len(token) == 4 else None
    if not _fits(kind, number):
        return None
    # `tháng 10 năm 2026`
    year_word = WORD_TO_KIND.get(rest[1]) if len(rest) >= 3 else None
    if year_word is PeriodKind.YEAR and rest[2].isdigit() and len(rest[2]) == 4:
        named_year = int(rest[2])
        if FIRST_YEAR <= named_year <= LAST_YEAR:
            return _numbered(kind, number, named_year), 3
    return _numbered(kind, number, year), 1


def _fits(kind: PeriodKind, number: int) -> bool:
    # A year is never numbered within anything: `năm 10/9999` is not a period.
    top = {PeriodKind.WEEK: 53, PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}.get(kind)
    return top is not None and 1 <= number <= top


def _numbered(kind: PeriodKind, number: int, year: int) -> Period:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRange(str(year))
    if kind is PeriodKind.MONTH and not 1 <= number <= 12:
        raise BadPeriod(f"{number}/{year}")
    try:
        if kind is PeriodKind.WEEK:
            return period_containing(kind, date.fromisocalendar(year, number, 1))
        first_month = 3 * number - 2 if kind is PeriodKind.QUARTER else number
        return period_containing(kind, date(year, first_month, 1))
    except ValueError:
        raise BadPeriod(f"{number}/{year}") from None


def _year(year: int, typed: str) -> Period:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRange(typed)
    return period_containing(PeriodKind.YEAR, date(year, 1, 1))


def _keyed(token: str) -> Period:
    """`2026-11`, `2026-1`, `2026-q4`, `2026-w48`: keys, a single-digit part padded."""
    year, part = token.split("-")
    if part.isdigit() or part[0] == "w":
        prefix, digits = ("", part) if part.isdigit() else ("W", part[1:])
        part = f"{prefix}{int(digits):02d}"
    try:
        return parse_period(f"{year}-{part}")
    except PeriodOutOfRange:
        raise YearOutOfRange(token) from None
    except InvalidPeriod:
        raise BadPeriod(token) from None


def _shifted(kind: PeriodKind, shift: int, today: date) -> Period:
    period = period_containing(kind, today)
    for _ in range(abs(shift)):
        period = period.next() if shift > 0 else period.previous()
    return period
