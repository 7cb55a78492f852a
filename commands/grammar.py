"""Forgiving parsing of command arguments: accents, case, spacing and order barely matter.

`TN 2`, `tn2`, `2 tn`, `/ghi TN 2 20/11` all parse; a period may be a word
(`tuần`, `thang`, `quarter`, `N`), a word plus `trước`/`last`, or a key (`2026-11`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from tracker.errors import UserError
from tracker.models import Program
from tracker.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    InvalidPeriod,
    Period,
    PeriodKind,
    PeriodOutOfRange,
    check_in_range,
    parse_period,
    period_containing,
    year_in_range,
)
from tracker.rules import Rules
from tracker.text import fold, shown

# ASCII only: folded text has no accents left, and a stray `²` must not pass as a digit.
_TOKEN = re.compile(
    r"\d{4}-(?:w\d{1,2}|q[1-4]|\d{1,2})|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    # a sign only where a word starts (`-5`), so `tn-2` still reads as TN 2
    r"|(?<!\S)-\d+|\d+|[^\W\d_]+",
    re.ASCII,
)

PERIOD_WORDS = {
    PeriodKind.WEEK: ("t", "tuan", "week", "w"),
    PeriodKind.MONTH: ("th", "thang", "month", "m"),
    PeriodKind.QUARTER: ("q", "quy", "quarter"),
    PeriodKind.YEAR: ("n", "nam", "year", "y"),
}
_WORD_TO_KIND = {word: kind for kind, words in PERIOD_WORDS.items() for word in words}
_PREVIOUS_WORDS = {"truoc", "last", "prev", "previous"}


def tokens(text: str) -> list[str]:
    """Folded tokens: `TN2  20/11` -> ['tn', '2', '20/11']."""
    return _TOKEN.findall(fold(text))


def parse_program(token: str, rules: Rules) -> Program:
    program = rules.program(token)
    if program is None:
        raise UserError("error.unknown_program", given=token.upper(), codes=_codes(rules))
    return program


def _codes(rules: Rules) -> str:
    return ", ".join(rules.program_codes)


# Ids are SQLite integers (64-bit): a longer run of digits names no row, and `int()` of
# thousands of digits is refused by Python itself (sys.int_info.str_digits_check_threshold).
MAX_ID = 2**63 - 1
_YEARS = {"first": str(FIRST_YEAR), "last": str(LAST_YEAR)}  # years are not amounts: no `2.000`


def natural(token: str, maximum: int) -> int | None:
    """`token` as a whole number 0..maximum (ASCII digits only), else None; never raises."""
    if not (token.isascii() and token.isdigit()) or len(token) > len(str(maximum)):
        return None
    value = int(token)
    return value if value <= maximum else None


def parse_id(token: str, usage: str) -> int:
    """A row id (`/duyet 12`): UserError(usage) for anything but 1..MAX_ID."""
    value = natural(token, MAX_ID)
    if not value:
        raise UserError(usage)
    return value


def parse_count(token: str, maximum: int) -> int:
    value = natural(token, maximum)
    if not value:
        raise UserError("error.bad_count", given=shown(token), max=maximum)
    return value


def parse_day(token: str, today: date, backdate_days: int) -> date:
    """`20/11` or `20/11/2026`: a day in the last `backdate_days` days, not in the future."""
    parts = token.split("/")
    try:
        year = today.year if len(parts) == 2 else int(parts[2])
        year = year + 2000 if year < 100 else year
        day = date(year, int(parts[1]), int(parts[0]))
    except (ValueError, IndexError):
        raise UserError("error.bad_date", given=shown(token)) from None
    if not year_in_range(day.year):
        raise UserError("error.year_range", given=shown(token), **_YEARS)
    if len(parts) == 2 and (day - today).days > 180:
        day = day.replace(year=today.year - 1)  # `28/12` typed on 2 January
    if day > today:
        raise UserError("error.future_date", given=day)
    if day < today - timedelta(days=backdate_days):
        raise UserError("error.too_old", given=day, days=backdate_days)
    return day


def parse_period_words(words: list[str], today: date) -> Period:
    """The period named by `words` (default: this month); UserError if they name none or
    one outside FIRST_YEAR..LAST_YEAR. Every way of naming a period ends here."""
    try:
        return check_in_range(_named_period(words, today))
    except PeriodOutOfRange as error:  # its key, as written in reports: `9999-W52`
        raise UserError("error.period_range", given=shown(str(error)), **_YEARS) from None


def _named_period(words: list[str], today: date) -> Period:
    if not words:
        return period_containing(PeriodKind.MONTH, today)
    previous = any(word in _PREVIOUS_WORDS for word in words)
    named = [word for word in words if word not in _PREVIOUS_WORDS]
    if len(named) != 1:
        raise UserError("error.bad_period", given=shown(" ".join(words)))
    word = named[0]
    kind = _WORD_TO_KIND.get(word)
    if kind is not None:
        period = period_containing(kind, today)
        return period.previous() if previous else period
    try:
        return parse_period(word)
    except PeriodOutOfRange:
        raise
    except InvalidPeriod:
        raise UserError("error.bad_period", given=shown(word)) from None


def parse_board_args(
    args: list[str], today: date, rules: Rules
) -> tuple[Period, tuple[str, ...], list[str]]:
    """`[period] [program] [unit name words]` in any order: the period (default this
    month), the programs (default all), and what is left (a unit's name, for leads)."""
    codes = tuple(rules.program_codes)
    # Each program once: `/bxh TN TN` must not add the TN target up twice.
    programs = tuple(dict.fromkeys(word.upper() for word in args if word.upper() in codes))
    period_words = [w for w in args if w in _WORD_TO_KIND or w in _PREVIOUS_WORDS or "-" in w]
    rest = [w for w in args if w.upper() not in codes and w not in period_words]
    return parse_period_words(period_words, today), programs or codes, rest
