"""Forgiving parsing of command arguments: accents, case, spacing and order barely matter.

`TN 2`, `tn2`, `2 tn`, `/ghi TN 2 20/11` all parse; a period may be a word
(`tuần`, `thang`, `quarter`, `N`), a word plus `trước`/`last`, or a key (`2026-11`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from commands.period_phrases import BadPeriod, PeriodPhrase, YearOutOfRange, read_period
from tracker.errors import UserError
from tracker.models import Program
from tracker.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    PeriodKind,
    PeriodOutOfRange,
    check_in_range,
    period_containing,
    year_in_range,
)
from tracker.rules import Rules
from tracker.text import fold, shown, strip_accents

# ASCII only: folded text has no accents left, and a stray `²` must not pass as a digit.
_TOKEN = re.compile(
    r"\d{4}-(?:w\d{1,2}|q[1-4]|\d{1,2})"
    r"|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}(?!\d)|\d{1,2}/\d{1,2}"  # a day; a month `11/2026`
    # thousands written the Vietnamese way (`1.000`), not part of a dotted phone number
    r"|(?<![\d.])\d{1,3}(?:\.\d{3})+(?![\d.])"
    # a sign only where a word starts (`-5`), so `tn-2` still reads as TN 2
    r"|(?<!\S)-\d+|\d+|[^\W\d_]+",
    re.ASCII,
)


def tokens(text: str) -> list[str]:
    """Folded tokens: `TN2  20/11` -> ['tn', '2', '20/11']."""
    return _TOKEN.findall(fold(text))


def as_typed(raw: str, folded: str) -> str:
    """The part of `raw` that folds to the tokens of `folded`, as the person typed it
    (`"T13"`, not `"t 13"`); `folded` itself when it cannot be found."""
    chars = [strip_accents(char).lower() for char in raw]
    if any(len(char) != 1 for char in chars):
        return folded
    words = folded.split()
    if not words:
        return folded
    pattern = r"[\s,;]*".join(re.escape(word) for word in words)
    found = re.search(rf"(?<![^\W_]){pattern}(?![^\W_])", "".join(chars))
    return raw[found.start() : found.end()] if found else folded


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
    return check_day(day, today, backdate_days)


def check_day(day: date, today: date, backdate_days: int) -> date:
    """`day` when an entry may be dated then: not in the future, not too long ago."""
    if day > today:
        raise UserError("error.future_date", given=day)
    if day < today - timedelta(days=backdate_days):
        raise UserError("error.too_old", given=day, days=backdate_days)
    return day


# `hôm qua` is 1 day back; weekdays by Vietnamese number (`thứ 2` Monday .. `thứ 7`).
_DAYS_BACK = {("hom", "nay"): 0, ("hom", "qua"): 1, ("hom", "kia"): 2}
_DAYS_BACK_WORDS = {"today": 0, "yesterday": 1}
_WEEKDAY_WORDS: dict[tuple[str, ...], int] = {
    ("chu", "nhat"): 6,
    ("cn",): 6,
    **{("thu", str(number)): number - 2 for number in range(2, 8)},
    **{("t", str(number)): number - 2 for number in range(2, 8)},
    **{
        (name,): index
        for index, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}


def take_day_words(args: list[str], today: date) -> tuple[date | None, list[str]]:
    """`hôm qua`, `hôm kia`, `thứ 2`, `chủ nhật`, `yesterday` anywhere in `args`: the day
    they name (the latest such day, today included) and the other tokens."""
    for at in range(len(args)):
        for length in (2, 1):
            phrase = tuple(args[at : at + length])
            if len(phrase) != length:
                continue
            if phrase in _DAYS_BACK:
                back = _DAYS_BACK[phrase]
            elif length == 1 and phrase[0] in _DAYS_BACK_WORDS:
                back = _DAYS_BACK_WORDS[phrase[0]]
            elif phrase in _WEEKDAY_WORDS:
                back = (today.weekday() - _WEEKDAY_WORDS[phrase]) % 7
            else:
                continue
            return today - timedelta(days=back), args[:at] + args[at + length :]
    return None, args


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
    phrase = period_at(words, 0, today)
    if phrase is None or phrase.length != len(words):
        raise UserError("error.bad_period", given=shown(" ".join(words)))
    return phrase.period


def period_at(words: Sequence[str], at: int, today: date) -> PeriodPhrase | None:
    """The period phrase starting at `words[at]`; UserError for one that names no period
    or one outside FIRST_YEAR..LAST_YEAR."""
    try:
        phrase = read_period(words, at, today)
        if phrase is not None:
            check_in_range(phrase.period)
        return phrase
    except (PeriodOutOfRange, YearOutOfRange) as error:
        raise UserError("error.period_range", given=shown(str(error)), **_YEARS) from None
    except BadPeriod as error:
        raise UserError("error.bad_period", given=shown(str(error))) from None


def parse_number(token: str) -> int | None:
    """`1000` or `1.000` (a thousand, as Vietnamese writes it); None if not a number."""
    digits = token.replace(".", "")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None


def parse_board_args(
    args: list[str], today: date, rules: Rules
) -> tuple[Period, tuple[str, ...], list[str]]:
    """`[period] [program] [unit name words]` in any order: the period (default this
    month), the programs (default all), and what is left (a unit's name, for leads)."""
    codes = (*rules.program_codes, *rules.aliases)
    # Each program once: `/bxh TN TN` must not add the TN target up twice.
    programs = tuple(
        dict.fromkeys(parse_program(word, rules).code for word in args if word.upper() in codes)
    )
    period: Period | None = None
    rest: list[str] = []
    at = 0
    while at < len(args):
        phrase = period_at(args, at, today) if args[at].upper() not in codes else None
        if phrase is None:
            if args[at].upper() not in codes:
                rest.append(args[at])
            at += 1
            continue
        if period is not None:  # two periods: which one?
            raise UserError("error.bad_period", given=" ".join(args))
        period, at = phrase.period, at + phrase.length
    return (
        period or period_containing(PeriodKind.MONTH, today),
        programs or rules.program_codes,
        rest,
    )
