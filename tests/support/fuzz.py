"""Generators for fuzzing the command grammar: its own tokens mixed with junk.

`lines()` draws what a person (or a broken phone, or an attacker) could send: a command
name or alias (or shorthand, or nothing), then words from the grammar (program codes,
period words and keys, counts, dates, phones, ids, participant codes and terms) mixed
with text hypothesis makes up, joined by odd spaces. Years and numbers reach far past
what the parsers accept, so the range checks are crossed both ways.
"""

from __future__ import annotations

import os

from hypothesis import strategies as st

from commands.period_phrases import PERIOD_WORDS, ROMAN_QUARTERS, SHIFT_WORDS
from commands.registry import COMMANDS, SHORTHAND

NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE") == "nightly"
"""The nightly profile: more than 100,000 examples over the fuzz suites together."""


def examples(ci: int, nightly: int) -> int:
    return nightly if NIGHTLY else ci


STAFF_PHONES = ("0912000001", "0912000002", "0912000003", "0913000001", "0915000001")

_HEADS = sorted(
    {f"/{name}" for command in COMMANDS for name in (command.name, command.alias)}
    | {name.upper() for name in SHORTHAND}
    | set(SHORTHAND)
    | {"/", "//", "/ghi@bhxh_bot", "/GHI", "/Tiến_độ", "/bxh@", "/start", "TN", "tn2", "2 YT"}
)
_PROGRAMS = ("TN", "tn", "YT", "yt", "Tn", "XX", "BHXH")
_WORDS = sorted(
    {word for words in PERIOD_WORDS.values() for word in words}
    | set(SHIFT_WORDS)
    | {quarter.upper() for quarter in ROMAN_QUARTERS}
    | {"T10", "Q4", "11/2026", "13/2026", "10/9999", "tháng 10", "quý IV", "tuần trước"}
    | {"tháng", "Tuần", "quý", "năm", "trước", "chia", "thang", "quy", "mua", "deu"}
    | {"ma", "ma=", "ky", "ky=", "kyhan", "cccd", "moi", "tai", "tham gia lai"}
    | {"vi", "en", "Phường", "Hạc", "Thành", "Sam", "Son", "Bưu", "điện", "BHXH", "tỉnh"}
)
_YEARS = st.one_of(
    st.sampled_from([0, 1, 99, 1926, 1999, 2000, 2025, 2026, 2027, 2100, 2101, 9999]),
    st.integers(0, 99_999),
)
_PERIOD_KEYS = st.one_of(
    _YEARS.map(lambda year: f"{year:04d}"),
    st.builds("{:04d}-W{:02d}".format, _YEARS, st.integers(0, 60)),
    st.builds("{:04d}-Q{}".format, _YEARS, st.integers(0, 9)),
    st.builds("{:04d}-{:02d}".format, _YEARS, st.integers(0, 19)),
)
_NUMBERS = st.one_of(
    st.integers(-5, 60).map(str),
    st.integers(0, 10**25).map(str),
    st.sampled_from(["1_000", "7*7", "1.000", "1,5", "²", "٣", "0x10", "1e3", "-0", "+3"]),
    st.integers(4_000, 6_000).map(lambda n: "9" * n),  # past int()'s digit limit
)
_DATES = st.one_of(
    st.builds("{}/{}".format, st.integers(-1, 40), st.integers(-1, 14)),
    st.builds("{}/{}/{}".format, st.integers(0, 40), st.integers(0, 14), _YEARS),
    st.sampled_from(["23/11", "20/11", "24/11", "29/11/-1", "31/02", "1/1/99999"]),
)
_PHONES = st.one_of(
    st.sampled_from(STAFF_PHONES),
    st.sampled_from(["+84 912 000 001", "84914000002", "0999999999", "0987654321"]),
    st.integers(0, 10**12).map(str),
)
_CODES = st.one_of(
    st.integers(0, 10**12 - 1).map("{:010d}".format),
    st.integers(0, 10**12 - 1).map("ma={:012d}".format),
    st.builds("ky={}".format, st.sampled_from([1, 3, 6, 12, 24, 5, 0, 10**20])),
)
_JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "%x%x%x",
            "{{7*7}}",
            "{0}",
            "{name}",
            "\udcff",
            "\ud800",
            "\x00",
            "\u2028",
            "\u00a0",
            "\u200b",
            "'; DROP TABLE entries;--",
            "🎉",
            "Đ",
            "ǅ",
            "ﬃ",
            "../..",
            "\\",
            "@",
            "=",
            "-",
        ]
    ),
)
tokens = st.one_of(
    st.sampled_from(_PROGRAMS),
    st.sampled_from(_WORDS),
    _PERIOD_KEYS,
    _NUMBERS,
    _DATES,
    _PHONES,
    _CODES,
    _JUNK,
)
_SPACES = st.sampled_from([" ", " ", " ", "  ", "\t", "\u00a0", "\u2028", "\n", ""])


@st.composite
def lines(draw: st.DrawFn) -> str:
    """One line as typed: a head (often a command), then a few tokens."""
    head = draw(st.one_of(st.sampled_from(_HEADS), st.just(""), _JUNK))
    words = draw(st.lists(tokens, max_size=6))
    parts = [head]
    for word in words:
        parts += [draw(_SPACES), word]
    return "".join(parts)
