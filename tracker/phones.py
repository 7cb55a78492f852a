"""Vietnamese mobile numbers: `+84 912 000 001`, `84912000001` and `0912000001` are one person."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
_NATIONAL = re.compile(r"^0[35789]\d{8}$")


class InvalidPhone(ValueError):
    """Not a Vietnamese mobile number."""


def normalise_phone(raw: str) -> str:
    """The stored form, `0` + 9 digits; InvalidPhone if it is not a Vietnamese mobile."""
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    if not _NATIONAL.match(digits):
        raise InvalidPhone(raw)
    return digits
