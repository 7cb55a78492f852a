"""Completion percentages as BHXH reports write them: 102,02%, 71,00%, 99,88%.

One home for the rule. Completion is kept as a whole number of hundredths of a percent
(`completion_hundredths`), floored, so a plan not yet met never reads 100,00%; it is
written with two decimals and the language's decimal mark, or as a whole percent
(floored too) where space is short: an SMS, a chart label.
"""

from __future__ import annotations

from dataclasses import dataclass


def completion_hundredths(achieved: int, target: int | None) -> int | None:
    """achieved / target in hundredths of a percent, floored; None without a target (or 0).

    1.609 of 1.577 -> 10202 (102,02%); 14.817 of 20.869 -> 7100 (71,00%).
    """
    if target is None or target <= 0:
        return None
    return achieved * 10_000 // target


def format_percent(hundredths: int, *, decimal_mark: str = ",", whole: bool = False) -> str:
    """`10202` -> `102,02%` (or `102%` when `whole`); floored, never rounded up."""
    units, fraction = divmod(hundredths, 100)
    if whole:
        return f"{units}%"
    return f"{units}{decimal_mark}{fraction:02d}%"


@dataclass(frozen=True, slots=True)
class Percent:
    """A completion to be written into a message: the translator formats it with the
    reader's decimal mark (`locales.Translator`), whole in an SMS or when `whole`."""

    hundredths: int
    whole: bool = False

    @classmethod
    def of(cls, achieved: int, target: int | None, *, whole: bool = False) -> Percent | None:
        hundredths = completion_hundredths(achieved, target)
        return None if hundredths is None else cls(hundredths, whole)
