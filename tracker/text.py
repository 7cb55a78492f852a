"""Forgiving text: accents, case and spacing never matter in what users type."""

from __future__ import annotations

import logging
import re
import traceback
import unicodedata

# Every SMS reply and every typed word passes through here, so the common case (ASCII,
# or Vietnamese, whose marks all lie in U+0300-U+036F once decomposed) stays in C:
# `str.translate` and a per-character Python loop cost ten times more.
_LATIN_MARKS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]"
)


def strip_accents(text: str) -> str:
    """`Tháng Đủ` -> `Thang Du`: Vietnamese without diacritics (what fits GSM-7)."""
    if text.isascii():
        return text
    bare = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", _without_d_bar(text)))
    if bare.isascii():
        return bare
    return "".join(char for char in bare if not unicodedata.combining(char))


def _without_d_bar(text: str) -> str:
    # Đ is a letter of its own, not D with a combining mark: NFD leaves it alone.
    return text.replace("đ", "d").replace("Đ", "D")


# Lone surrogates: what Python makes of bytes that are not UTF-8 (a console under
# LC_ALL=C reads them with `surrogateescape`); no database or wire can encode them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD, as a UTF-8 decoder would."""
    return _SURROGATE.sub("\ufffd", text)


SHOWN = 20
"""How much of a bad token a refusal quotes: enough to recognise it, never a wall of digits."""


def shown(token: str) -> str:
    """`token` as a refusal may quote it: at most SHOWN characters."""
    return token if len(token) <= SHOWN else token[: SHOWN - 1] + "…"


def fold(text: str) -> str:
    """A comparison key: no accents, lower case, single spaces."""
    return " ".join(strip_accents(text).lower().split())


# En and em dash, middle dot, ellipsis, curly quotes, arrow: their nearest GSM-7 forms.
_ASCII_LOOKALIKES = (
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u00b7", "-"),
    ("\u2026", "..."),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2192", "->"),
)


def plain_ascii(text: str) -> str:
    """What an SMS can carry in GSM-7: no diacritics, no emoji, single spaces per line."""
    return tidy_lines(ascii_letters(text))


def ascii_letters(text: str) -> str:
    """`text` folded character by character into ASCII, spacing untouched: folding a
    message template once and the values put into it gives what folding the whole
    message would."""
    if text.isascii():
        return text
    for fancy, plain in _ASCII_LOOKALIKES:
        text = text.replace(fancy, plain)
    # What NFD cannot take apart (emoji, other scripts) has no GSM-7 form: dropped.
    bare = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", _without_d_bar(text)))
    return bare.encode("ascii", "ignore").decode()


def tidy_lines(text: str) -> str:
    """Single spaces within lines, no blank lines: every character of an SMS counts."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# Ten or more digits, a single space or dot allowed between them: a CCCD (12), a
# BHXH code (10) or a phone number as someone may have typed it.
_LONG_NUMBER = re.compile(r"\d(?:[ .]?\d){9,}")


def redact(text: str) -> str:
    """`text` fit for a log: every run of 10+ digits masked but its last 3 (Decree 13/2023).

    `ghi TN 1 ma=0123456789` -> `ghi TN 1 ma=*******789`.
    """

    def mask(match: re.Match[str]) -> str:
        digits = [char for char in match.group() if char.isdigit()]
        return "*" * (len(digits) - 3) + "".join(digits[-3:])

    return _LONG_NUMBER.sub(mask, text)


class RedactingFilter(logging.Filter):
    """A logging filter that applies `redact` to a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_text = record.exc_text.rstrip("\n")
        return True


def redact_loggers(prefix: str) -> None:
    """Redact every record of the loggers named `prefix` or `prefix.*` (existing ones)."""
    names = [name for name in logging.root.manager.loggerDict if name.startswith(f"{prefix}.")]
    for name in [prefix, *names]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
