"""How `/chitieu … chia thang|quy [deu|mua]` splits a longer quota into its parts.

Evenly or by the seasonal profile of `config/seasonal.toml`; finer quotas inside the
split period that the split would contradict are removed, and the reply names every
quota written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from locales import Translator
from tracker.errors import UserError
from tracker.periods import InvalidPeriod, Period, PeriodKind, parse_period, sub_periods
from tracker.quotas import split_by_profile, split_evenly

SEASONAL_FILE = Path(__file__).resolve().parent.parent / "config" / "seasonal.toml"

_SPLIT_WORDS = {"chia", "split"}
_SPLIT_KINDS = {
    "thang": PeriodKind.MONTH,
    "month": PeriodKind.MONTH,
    "th": PeriodKind.MONTH,
    "quy": PeriodKind.QUARTER,
    "quarter": PeriodKind.QUARTER,
    "q": PeriodKind.QUARTER,
}
_EVEN_WORDS = {"deu", "even", "evenly"}
_SEASONAL_WORDS = {"mua", "vu", "seasonal", "season", "profile"}
_FINER = {
    PeriodKind.YEAR: (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK),
    PeriodKind.QUARTER: (PeriodKind.MONTH, PeriodKind.WEEK),
    PeriodKind.MONTH: (PeriodKind.WEEK,),
}


def parse_split(words: list[str]) -> tuple[PeriodKind | None, bool]:
    """`chia thang [deu|mua]` -> (MONTH, seasonal?); nothing -> (None, False)."""
    if not words:
        return None, False
    if words[0] not in _SPLIT_WORDS or len(words) < 2 or words[1] not in _SPLIT_KINDS:
        raise UserError("leads.bad_split")
    how = set(words[2:])
    if how - _EVEN_WORDS - _SEASONAL_WORDS:
        raise UserError("leads.bad_split")
    return _SPLIT_KINDS[words[1]], bool(how & _SEASONAL_WORDS)


@cache
def seasonal_weights(path: Path = SEASONAL_FILE) -> tuple[int, ...]:
    """The twelve monthly weights of the seasonal profile, checked."""
    with path.open("rb") as file:
        months = tomllib.load(file).get("months")
    if (
        not isinstance(months, list)
        or len(months) != 12
        or not all(isinstance(w, int) and w >= 0 for w in months)
        or sum(months) <= 0
    ):
        raise ValueError(f"{path}: `months` must be 12 whole numbers >= 0, not all zero")
    return tuple(months)


def plan_quotas(
    period: Period,
    total: int,
    split: PeriodKind | None = None,
    weights: Sequence[int] | None = None,
    existing: Iterable[str] = (),
) -> dict[str, int | None]:
    """The quotas to write (period key -> value, None to remove) for one target and program.

    Without `split`, only `period` itself. With it, the parts (quarters or months, and for
    months of a year also the quarters they add up to), split evenly or by the twelve
    monthly `weights`; existing finer quotas inside `period` that the split does not set
    are removed, so nothing contradicts the split.
    """
    values: dict[str, int | None] = {period.key: total}
    if split is None:
        return values
    if split not in _FINER.get(period.kind, ()) or split is PeriodKind.WEEK:
        raise UserError("leads.bad_split")
    parts = sub_periods(period, split)
    if weights is None:
        shares = split_evenly(total, len(parts))
    else:
        month_weights = {month: weights[month - 1] for month in range(1, 13)}
        part_weights = [
            sum(month_weights[m.first.month] for m in sub_periods(part, PeriodKind.MONTH))
            for part in parts
        ]
        shares = split_by_profile(total, part_weights)
    values.update({part.key: share for part, share in zip(parts, shares, strict=True)})
    if period.kind is PeriodKind.YEAR and split is PeriodKind.MONTH:
        for quarter in sub_periods(period, PeriodKind.QUARTER):
            values[quarter.key] = sum(
                values[month.key] or 0 for month in sub_periods(quarter, PeriodKind.MONTH)
            )
    for key in existing:
        if key in values:
            continue
        try:
            inner = parse_period(key)
        except InvalidPeriod:
            continue
        inside = period.first <= inner.first and inner.last <= period.last
        if inside and inner.kind in _FINER[period.kind]:
            values[key] = None
    return values


def split_lines(
    t: Translator,
    plan: dict[str, int | None],
    split: PeriodKind | None,
    seasonal: bool,
    before: Mapping[str, int | None],
) -> list[str]:
    """What a split sets, and the older finer quotas it removes."""
    if split is None:
        return []
    parts = sorted(
        (parse_period(k), v)
        for k, v in plan.items()
        if v is not None and parse_period(k).kind is split
    )
    how = t("leads.split_seasonal" if seasonal else "leads.split_even")
    kind = t(f"leads.split_{split.value}")
    listing = ", ".join(f"{part.key}: {t.number(v)}" for part, v in parts)
    lines = [t("leads.quota_split", kind=kind, how=how, parts=listing)]
    # A year split by months also sets its quarters (the sums of their months): the
    # reply names every quota it writes.
    sums = sorted(
        (parse_period(k), v)
        for k, v in plan.items()
        if v is not None
        and split is PeriodKind.MONTH
        and parse_period(k).kind is PeriodKind.QUARTER
    )
    if sums:
        quarters = ", ".join(f"{part.key}: {t.number(v)}" for part, v in sums)
        lines.append(
            t(
                "leads.quota_split",
                kind=t("leads.split_quarter"),
                how=t("leads.split_sum"),
                parts=quarters,
            )
        )
    removed = sorted(k for k, v in plan.items() if v is None and before.get(k) is not None)
    if removed:
        lines.append(t("leads.quota_removed", keys=", ".join(removed)))
    return lines
