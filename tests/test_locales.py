"""Message catalogues: numbers and dates per language, plurals, plain ASCII for SMS."""

from __future__ import annotations

import string
import unicodedata
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.render import period_label
from locales import Translator, catalogue, language_or_default
from tracker.percent import Percent
from tracker.periods import parse_period
from tracker.text import fold, plain_ascii, strip_accents

DAY = date(2026, 11, 5)
VI_KEYS = sorted(catalogue("vi"))
EN_KEYS = sorted(catalogue("en"))


def templates(message: Any) -> list[str]:
    """The templates of a message: one string, or every plural form of a table."""
    return list(message.values()) if isinstance(message, dict) else [message]


def placeholders(message: Any) -> set[str]:
    return {
        name
        for template in templates(message)
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }


def dummy_params(message: Any) -> dict[str, Any]:
    """Every parameter, with accented text, a big number for `n` and a date for `day`."""
    values: dict[str, Any] = {"n": 1609, "day": DAY, "first": DAY, "last": DAY}
    return {name: values.get(name, "Đồng Tháp \u2013 Hưng Yên") for name in placeholders(message)}


def test_vietnamese_numbers_and_dates() -> None:
    text = Translator("vi")("log.done", n=1609, program="BHXH tự nguyện", day=DAY)
    assert text == "✅ Đã ghi 1.609 người tham gia BHXH tự nguyện ngày 05/11/2026."
    assert Translator("vi")("import.done_staff", n=12345) == "Đã nhập 12.345 cán bộ, đại lý thu."


def test_english_numbers_and_dates() -> None:
    text = Translator("en")("log.done", n=1609, program="Voluntary social insurance", day=DAY)
    assert text == "✅ Logged 1,609 Voluntary social insurance participants on 05/11/2026."


def test_numbers_inside_progress_lines() -> None:
    percent = Percent(8045)
    params = {"program": "YT", "achieved": 1609, "target": 2000, "percent": percent, "pace": "x"}
    assert Translator("vi")("progress.line", **params) == "YT: 1.609/2.000 (80,45%) · x"
    assert Translator("en")("progress.line", **params) == "YT: 1,609/2,000 (80.45%) · x"
    assert Translator("vi").number(1_234_567) == "1.234.567"
    assert Translator("en").number(999) == "999"


@pytest.mark.parametrize(
    ("n", "word"), [(1, "participant "), (2, "participants "), (0, "participants "),
                    (21, "participants ")],
)  # fmt: skip
def test_english_plural_forms(n: int, word: str) -> None:
    text = Translator("en")("log.done", n=n, program="TN", day=DAY)
    assert text == f"✅ Logged {n} TN {word}on 05/11/2026."
    undo = Translator("en")("undo.done", n=n, program="YT", day=DAY)
    assert f" {n} YT {word}on 05/11/2026." in undo


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_vietnamese_has_one_form(n: int) -> None:
    assert Translator("vi")("log.done", n=n, program="BHXH tự nguyện", day=DAY) == (
        f"✅ Đã ghi {n} người tham gia BHXH tự nguyện ngày 05/11/2026."
    )


def test_plain_log_reply_for_sms() -> None:
    text = Translator("vi", plain=True)("log.done", n=1609, program="TN", day=DAY)
    assert text == "Da ghi 1.609 TN ngay 05/11/2026."  # short, so the running total fits
    # The year once, not twice: an SMS has no room for it.
    assert period_label(Translator("vi", plain=True), parse_period("2026-W48")) == (
        "tuan 48 (23/11-29/11)"
    )
    assert period_label(Translator("vi"), parse_period("2026-W48")) == (
        "tuần 48 (23/11/2026 – 29/11/2026)"  # noqa: RUF001
    )
    assert Translator("vi", plain=True)("pace.reached") == "da hoan thanh"


@pytest.mark.parametrize("key", VI_KEYS)
def test_every_vietnamese_message_is_ascii_when_plain(key: str) -> None:
    messages = catalogue("vi")
    # An SMS variant may ask for a shorter form of a value (`sms.period.week`).
    params = dummy_params(messages[key]) | dummy_params(messages.get(f"sms.{key}", ""))
    text = Translator("vi", plain=True)(key, **params)
    assert text.isascii(), text
    assert text.strip()


@pytest.mark.parametrize("key", EN_KEYS)
def test_every_english_message_is_ascii_when_plain(key: str) -> None:
    messages = catalogue("en")
    params = dummy_params(messages[key]) | dummy_params(messages.get(f"sms.{key}", ""))
    assert Translator("en", plain=True)(key, **params).isascii()


@pytest.mark.parametrize("key", [k for k in VI_KEYS if k.startswith("error.")] + ["help.keywords"])
def test_sms_replies_fit_one_message(key: str) -> None:
    message = catalogue("vi")[key]
    params = {name: "20/11/2026" for name in placeholders(message)}
    assert len(Translator("vi", plain=True)(key, **params)) <= 160


def test_catalogues_have_the_same_keys() -> None:
    vi, en = set(VI_KEYS), set(EN_KEYS)
    assert en - vi == set()
    # Intentional: the operator's import messages exist only in Vietnamese (the CLI
    # uses the default translator); English falls back to them.
    assert vi - en == {key for key in vi if key.startswith("import.")}
    assert Translator("en")("import.done_quotas", n=3) == "Đã nhập 3 chỉ tiêu."


@pytest.mark.parametrize("key", sorted(set(VI_KEYS) & set(EN_KEYS)))
def test_translations_take_the_same_parameters(key: str) -> None:
    assert placeholders(catalogue("vi")[key]) == placeholders(catalogue("en")[key])


def test_english_plural_tables_are_complete() -> None:
    tables = {k: v for k, v in catalogue("en").items() if isinstance(v, dict)}
    assert set(tables) >= {"log.done", "undo.done"}
    for forms in tables.values():
        assert set(forms) == {"one", "other"}
        assert placeholders(forms["one"]) == placeholders(forms["other"])


def test_unknown_key() -> None:
    assert not Translator("en").has("no.such.key")
    assert Translator("en").has("import.bad_phone")  # through the Vietnamese fallback
    with pytest.raises(KeyError):
        Translator("en")("no.such.key")


@pytest.mark.parametrize(
    ("code", "language"),
    [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("vi", "vi"), ("vi-VN", "vi"),
     ("fr", "vi"), ("", "vi"), (None, "vi")],
)  # fmt: skip
def test_language_or_default(code: str | None, language: str) -> None:
    assert language_or_default(code) == language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường đi Đà Nẵng", "Duong di Da Nang"),
        ("✅ Đã ghi 🎉", "Da ghi"),
        ("📊 Tiến độ Quý 4", "Tien do Quy 4"),
        ("a \u2013 b \u2014 c \u00b7 d\u2026", "a - b - c - d..."),
        ("\u201cHà Nội\u201d", '"Ha Noi"'),
        ("  nhiều   khoảng  \n\n  trắng ", "nhieu khoang\ntrang"),
        ("ỨNG HỘ Ủy ban", "UNG HO Uy ban"),
    ],
)
def test_plain_ascii(text: str, expected: str) -> None:
    assert plain_ascii(text) == expected


def stripped_by_definition(text: str) -> str:
    """The slow, obvious definition the fast `strip_accents` must agree with."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@given(st.text())
def test_strip_accents_agrees_with_its_definition(text: str) -> None:
    assert strip_accents(text) == stripped_by_definition(text)


LOOKALIKES = {"\u2013": "-", "\u2014": "-", "\u00b7": "-", "\u2026": "...", "\u201c": '"'}


@given(st.text(alphabet=st.sampled_from("aĐđ ạ̀Ứ\n\t\x1f🥇·—…“”\u0301Ωǅ0")))
def test_plain_ascii_agrees_with_its_definition(text: str) -> None:
    lookalikes_replaced = text.translate(str.maketrans({**LOOKALIKES, "\u201d": '"'}))
    ascii_only = stripped_by_definition(lookalikes_replaced).encode("ascii", "ignore").decode()
    lines = [" ".join(line.split()) for line in ascii_only.splitlines()]
    assert plain_ascii(text) == "\n".join(line for line in lines if line)


def test_strip_accents_and_fold() -> None:
    assert strip_accents("Tháng Đủ") == "Thang Du"
    assert strip_accents("đĐ") == "dD"
    assert fold("  Tháng   TRƯỚC ") == "thang truoc"
    assert fold("QUÝ") == fold("quy") == "quy"
