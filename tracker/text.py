"""Forgiving text: accents, case and spacing never matter in what users type."""

from __future__ import annotations

import logging
import re
import traceback
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
