"""Completion percentages as BHXH reports write them: two decimals, decimal comma, floored."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locales import Translator
from tracker.percent import Percent, completion_hundredths, format_percent


@pytest.mark.parametrize(
    ("achieved", "target", "shown", "whole"),
    [
        (1_609, 1_577, "102,02%", "102%"),  # an office over its plan
        (14_817, 20_869, "71,00%", "71%"),  # 70,9999..% is not 71%: 71,0002% is
        (1_998, 2_000, "99,90%", "99%"),
        (9_988, 10_000, "99,88%", "99%"),  # a plan not yet met never reads 100%
        (99_999, 100_000, "99,99%", "99%"),
        (10_021, 10_000, "100,21%", "100%"),
        (0, 7, "0,00%", "0%"),
        (3, 3, "100,00%", "100%"),
    ],
)
def test_reports_read_two_decimals_floored(
    achieved: int, target: int, shown: str, whole: str
) -> None:
    hundredths = completion_hundredths(achieved, target)
    assert hundredths is not None
    assert format_percent(hundredths) == shown
    assert format_percent(hundredths, whole=True) == whole


def test_the_translator_writes_the_readers_decimal_mark_and_whole_in_an_sms() -> None:
    percent = Percent.of(1_609, 1_577)
    assert percent is not None
    assert Translator("vi").percent(percent) == "102,02%"
    assert Translator("en").percent(percent) == "102.02%"
    assert Translator("vi", plain=True).percent(percent) == "102%"
    assert Translator("vi").percent(Percent(10_202, whole=True)) == "102%"


def test_no_target_no_percent() -> None:
    assert Percent.of(2, 0) is None
    assert Percent.of(2, None) is None


@given(st.integers(0, 10**7), st.integers(1, 10**7))
def test_shown_percent_never_exceeds_the_exact_one(achieved: int, target: int) -> None:
    hundredths = completion_hundredths(achieved, target)
    assert hundredths is not None
    units, decimals = format_percent(hundredths).removesuffix("%").split(",")
    shown = int(units) * 100 + int(decimals)
    assert shown * target <= achieved * 10_000 < (shown + 1) * target
