"""Participant details on an entry: parse them, and keep the code only as a keyed hash.

A participant is known by their citizen ID (CCCD, 12 digits) or a legacy BHXH code (10
digits). Under Decree 13/2023 the code is personal data: it is never stored, only an
HMAC-SHA256 of it under the operator's secret (`PARTICIPANT_HASH_SECRET`) and its last
3 digits, which is enough to spot the same person logged twice and to match official
collection records, and not enough to recover the code from the database alone.

Details follow the program and count in any order, as folded tokens:
`ma=0123456789`, `ma:…`, `cccd=…`, `code …` or the bare 10/12 digits; `ky=12`,
`term 12`, optionally `thang`/`months` after it; `moi`/`new` or `tg lai`/`rejoin`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from tracker.errors import UserError
from tracker.text import shown

CODE_LENGTHS = (10, 12)
"""A legacy BHXH code, a CCCD."""
MAX_TERM_MONTHS = 60
TERMS = (1, 3, 6, *range(12, MAX_TERM_MONTHS + 1, 12))
"""Monthly, quarterly, half-yearly, yearly, or several whole years paid ahead."""

_CODE_WORDS = {"ma", "cccd", "code", "bhxh", "mabhxh", "so"}
_TERM_WORDS = {"ky", "kyhan", "term"}
_PROGRAM_WORDS = {"bhxh"}
"""Code words that also name a program: a code only when a long number follows."""
_MONTH_WORDS = {"t", "th", "thang", "m", "month", "months"}
# Longest first: `tham gia lai` must not stop at a shorter phrase.
_PHRASES: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("tham", "gia", "lai"), True),
    (("tai", "tham", "gia"), True),
    (("tham", "gia", "moi"), False),
    (("tg", "lai"), True),
    (("tg", "moi"), False),
    (("tglai",), True),
    (("rejoin",), True),
    (("rejoining",), True),
    (("moi",), False),
    (("new",), False),
)
LONG_NUMBER = 7
"""A number this long in a log command can only be meant as a code."""


@dataclass(frozen=True)
class ParticipantDetails:
    """What the logger told about the participant(s); any part may be missing."""

    code: str | None = None
    term_months: int | None = None
    rejoin: bool | None = None
    """True rejoining after a break, False new, None not said."""


@dataclass(frozen=True)
class HashedParticipant:
    """Details as stored: the code replaced by its keyed hash and last 3 digits."""

    hash: str | None
    last3: str | None
    term_months: int | None
    rejoin: bool | None


def split_details(args: list[str]) -> tuple[ParticipantDetails | None, list[str]]:
    """Take participant details out of folded log tokens; the rest is `program count [day]`.

    None when the tokens carry no details. UserError for a code or term that is wrong
    (never echoing a code back).
    """
    rest: list[str] = []
    code: str | None = None
    term: int | None = None
    rejoin: bool | None = None
    found = False
    index = 0
    while index < len(args):
        token = args[index]
        phrase = _phrase_at(args, index)
        following = args[index + 1] if index + 1 < len(args) else ""
        if token in _PROGRAM_WORDS and not (following.isdigit() and len(following) >= LONG_NUMBER):
            rest.append(token)  # `BHXH 1`: the program (BHXH tự nguyện), not a code
            index += 1
        elif token in _CODE_WORDS:
            index += 1
            while index < len(args) and args[index] in _CODE_WORDS:
                index += 1  # `ma bhxh 0123456789`
            if index == len(args) or not args[index].isdigit():
                raise UserError("participants.code_usage")
            code, found, index = check_code(args[index]), True, index + 1
        elif token.isdigit() and len(token) >= LONG_NUMBER:
            code, found, index = check_code(token), True, index + 1
        elif token in _TERM_WORDS:
            following = args[index + 1] if index + 1 < len(args) else ""
            term, found, index = check_term(following), True, index + 2
            if index < len(args) and args[index] in _MONTH_WORDS:
                index += 1
        elif phrase is not None:
            length, rejoin = phrase
            found, index = True, index + length
        else:
            rest.append(token)
            index += 1
    if not found:
        return None, rest
    return ParticipantDetails(code, term, rejoin), rest


TERMS_TEXT = ", ".join(str(term) for term in TERMS)


def _phrase_at(args: list[str], index: int) -> tuple[int, bool] | None:
    for words, rejoin in _PHRASES:
        if tuple(args[index : index + len(words)]) == words:
            return len(words), rejoin
    return None


def check_code(digits: str) -> str:
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in CODE_LENGTHS:
        raise UserError("participants.bad_code", n=len(digits))
    return digits


def check_term(token: str) -> int:
    # Short before int(): Python refuses int() of thousands of digits.
    if not (token.isascii() and token.isdigit()) or len(token) > 4 or int(token) not in TERMS:
        raise UserError("participants.bad_term", given=shown(token) or "?", terms=TERMS_TEXT)
    return int(token)


def participant_hash(code: str, secret: str) -> str:
    """HMAC-SHA256 of the code under the operator's secret, as hex."""
    return hmac.new(secret.encode(), check_code(code).encode(), hashlib.sha256).hexdigest()


def key_fingerprint(secret: str) -> str:
    """What the database keeps to notice a changed secret (old hashes would stop matching)."""
    return hmac.new(secret.encode(), b"bhxh-participant-key-check", hashlib.sha256).hexdigest()


def last3(code: str) -> str:
    return code[-3:]


def hashed(details: ParticipantDetails, secret: str | None) -> HashedParticipant:
    """Details fit for storage; UserError when a code came but no secret is configured."""
    if details.code is None:
        return HashedParticipant(None, None, details.term_months, details.rejoin)
    if not secret:
        raise UserError("participants.no_secret")
    return HashedParticipant(
        participant_hash(details.code, secret),
        last3(details.code),
        details.term_months,
        details.rejoin,
    )
