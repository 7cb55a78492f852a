"""Forgiving command parsing: tokens, commands, periods, days and counts."""

from __future__ import annotations

from datetime import date

import pytest

from commands.grammar import (
    parse_board_args,
    parse_count,
    parse_day,
    parse_period_words,
    parse_program,
    tokens,
)
from commands.registry import parse
from tracker.errors import UserError
from tracker.models import Program
from tracker.periods import parse_period
from tracker.rules import Rules

CODES = ("TN", "YT")
RULES = Rules((Program("TN", "BHXH tự nguyện", "Voluntary"), Program("YT", "BHYT", "HI")))
TODAY = date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TN2  20/11", ["tn", "2", "20/11"]),
        ("  Tn   2 ", ["tn", "2"]),
        ("tháng trước", ["thang", "truoc"]),
        ("QUÝ", ["quy"]),
        ("YT 1 20/11/2026", ["yt", "1", "20/11/2026"]),
        ("TD 2026-11", ["td", "2026-11"]),
        ("td 2026-W48", ["td", "2026-w48"]),
        ("TN, 2!", ["tn", "2"]),
        ("", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/ghi TN 2", "ghi", ["tn", "2"]),
        ("/log tn 2", "ghi", ["tn", "2"]),
        ("/ghi@bhxh_bot TN 2", "ghi", ["tn", "2"]),
        ("/GHI TN 2 20/11", "ghi", ["tn", "2", "20/11"]),
        ("/ghi 2 tn", "ghi", ["2", "tn"]),
        ("/ghi", "ghi", []),
        ("tn2", "ghi", ["tn", "2"]),
        ("Tn  2", "ghi", ["tn", "2"]),
        ("  YT 1 20/11 ", "ghi", ["yt", "1", "20/11"]),
        ("TD tháng", "tiendo", ["thang"]),
        ("td q", "tiendo", ["q"]),
        ("TD", "tiendo", []),
        ("HUY", "huy", []),
        ("HỦY", "huy", []),
        ("hd", "trogiup", []),
        ("/tiendo quý trước", "tiendo", ["quy", "truoc"]),
        ("/progress", "tiendo", []),
        ("/undo", "huy", []),
        ("/help", "trogiup", []),
        ("/lang en", "ngonngu", ["en"]),
        ("/start@bhxh_bot", "start", []),
    ],
)
def test_parse_finds_the_command(text: str, name: str, args: list[str]) -> None:
    command, arguments = parse(text, CODES)
    assert command is not None
    assert command.name == name
    assert arguments == args


@pytest.mark.parametrize(
    ("text", "args"),
    [("/xyz 1", ["1"]), ("hello", ["hello"]), ("", []), ("   ", []), ("XX 2", ["xx", "2"])],
)
def test_parse_unknown(text: str, args: list[str]) -> None:
    assert parse(text, CODES) == (None, args)


def test_parse_count_first_shorthand_logs() -> None:
    command, args = parse("2 tn", CODES)
    assert command is not None
    assert (command.name, args) == ("ghi", ["2", "tn"])


def test_parse_command_followed_by_line_break() -> None:
    command, args = parse("/ghi\nTN 2", CODES)
    assert command is not None
    assert (command.name, args) == ("ghi", ["tn", "2"])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tuần", "2026-W47"), ("tuan", "2026-W47"), ("week", "2026-W47"), ("T", "2026-W47"),
        ("tháng", "2026-11"), ("thang", "2026-11"), ("month", "2026-11"), ("TH", "2026-11"),
        ("quý", "2026-Q4"), ("quy", "2026-Q4"), ("quarter", "2026-Q4"), ("Q", "2026-Q4"),
        ("năm", "2026"), ("nam", "2026"), ("year", "2026"), ("N", "2026"),
        ("", "2026-11"),
        ("tháng trước", "2026-10"), ("last month", "2026-10"), ("trước tháng", "2026-10"),
        ("tuần trước", "2026-W46"), ("quý trước", "2026-Q3"), ("năm trước", "2025"),
        ("2026-09", "2026-09"), ("2026-Q2", "2026-Q2"), ("2026-w53", "2026-W53"), ("2025", "2025"),
    ],
)  # fmt: skip
def test_parse_period_words(text: str, key: str) -> None:
    assert parse_period_words(tokens(text), TODAY).key == key


def test_previous_period_in_january_is_last_year() -> None:
    january = date(2027, 1, 15)
    assert parse_period_words(tokens("tháng trước"), january) == parse_period("2026-12")
    assert parse_period_words(tokens("quy truoc"), january) == parse_period("2026-Q4")
    new_year = date(2027, 1, 1)  # still ISO week 2026-W53
    assert parse_period_words(tokens("tuan"), new_year).key == "2026-W53"
    assert parse_period_words(tokens("tuan truoc"), new_year).key == "2026-W52"


@pytest.mark.parametrize("text", ["abc", "tháng quý", "trước", "2026-13", "2026-Q5", "2026-W54"])
def test_bad_period_words(text: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_period_words(tokens(text), TODAY)
    assert raised.value.key == "error.bad_period"


@pytest.mark.parametrize(
    ("token", "today", "day"),
    [
        ("20/11", TODAY, date(2026, 11, 20)),
        ("22/11", TODAY, TODAY),
        ("15/11", TODAY, date(2026, 11, 15)),  # exactly 7 days back
        ("20/11/2026", TODAY, date(2026, 11, 20)),
        ("20/11/26", TODAY, date(2026, 11, 20)),
        ("28/12", date(2027, 1, 2), date(2026, 12, 28)),
        ("31/12", date(2027, 1, 1), date(2026, 12, 31)),
        ("29/02", date(2028, 3, 1), date(2028, 2, 29)),
    ],
)
def test_parse_day(token: str, today: date, day: date) -> None:
    assert parse_day(token, today, 7) == day


@pytest.mark.parametrize(
    ("token", "today", "given"),
    [
        ("23/11", TODAY, date(2026, 11, 23)),
        ("1/12", TODAY, date(2026, 12, 1)),
        ("23/11/2026", TODAY, date(2026, 11, 23)),
        ("29/02", date(2028, 2, 10), date(2028, 2, 29)),
    ],
)
def test_parse_day_in_the_future(token: str, today: date, given: date) -> None:
    with pytest.raises(UserError) as raised:
        parse_day(token, today, 7)
    assert (raised.value.key, raised.value.params) == ("error.future_date", {"given": given})


@pytest.mark.parametrize(
    ("token", "given"), [("14/11", date(2026, 11, 14)), ("20/11/2025", date(2025, 11, 20))]
)
def test_parse_day_too_old(token: str, given: date) -> None:
    with pytest.raises(UserError) as raised:
        parse_day(token, TODAY, 7)
    assert raised.value.key == "error.too_old"
    assert raised.value.params == {"given": given, "days": 7}


def test_parse_day_without_backdating() -> None:
    assert parse_day("22/11", TODAY, 0) == TODAY
    with pytest.raises(UserError) as raised:
        parse_day("21/11", TODAY, 0)
    assert raised.value.key == "error.too_old"


@pytest.mark.parametrize("token", ["31/02", "29/02", "32/11", "20/13", "0/11", "20", "abc"])
def test_parse_day_bad_date(token: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_day(token, date(2027, 3, 1), 7)
    assert (raised.value.key, raised.value.params) == ("error.bad_date", {"given": token})


@pytest.mark.parametrize(("token", "count"), [("1", 1), ("2", 2), ("50", 50), ("07", 7)])
def test_parse_count_accepts(token: str, count: int) -> None:
    assert parse_count(token, 50) == count


@pytest.mark.parametrize("token", ["0", "51", "100", "abc", "", "-1", "2.5"])
def test_parse_count_rejects(token: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_count(token, 50)
    assert raised.value.key == "error.bad_count"
    assert raised.value.params == {"given": token, "max": 50}


def test_parse_count_superscript_is_a_user_error() -> None:
    with pytest.raises(UserError):
        parse_count("²", 50)


def test_parse_program() -> None:
    assert parse_program("tn", RULES).code == "TN"
    assert parse_program("Yt", RULES).code == "YT"
    with pytest.raises(UserError) as raised:
        parse_program("xx", RULES)
    assert raised.value.key == "error.unknown_program"
    assert raised.value.params == {"given": "XX", "codes": "TN, YT"}


@pytest.mark.parametrize(
    ("words", "key", "programs", "rest"),
    [
        ([], "2026-11", ("TN", "YT"), []),
        (["tn", "tn"], "2026-11", ("TN",), []),
        (["yt", "quy", "tn", "yt"], "2026-Q4", ("YT", "TN"), []),
        (["tuan", "xa", "1"], "2026-W47", ("TN", "YT"), ["xa", "1"]),
    ],
)
def test_parse_board_args_names_each_program_once(
    words: list[str], key: str, programs: tuple[str, ...], rest: list[str]
) -> None:
    period, named, left = parse_board_args(words, TODAY, RULES)
    assert (period.key, named, left) == (key, programs, rest)
