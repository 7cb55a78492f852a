"""The emulation rules (`config/emulation.toml`): read and checked once, at start.

Levels and their minimum scores with their names, program weights, payment-term
weights, the collective-title shares and the retention weight. Any mistake names the
file and the key to fix. The maths that uses them is `leaderboards.emulation`.
"""

from __future__ import annotations

import bisect
import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

from tracker.models import Program

DEFAULT_EMULATION_FILE = Path(__file__).resolve().parent.parent / "config" / "emulation.toml"
MAX_TERM_MONTHS = 60  # the longest payment term the product accepts: five years ahead


class EmulationConfigError(ValueError):
    """The emulation rules file is wrong; the message names the key to fix."""


class Tier(StrEnum):
    """The four rating levels of the year-end review, best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


@dataclass(frozen=True)
class Names:
    vi: str
    en: str

    def in_language(self, language: str) -> str:
        return self.vi if language == "vi" else self.en


@dataclass(frozen=True)
class CollectiveRules:
    advanced_member_percent: Fraction
    """Tập thể lao động tiên tiến: strictly more than this share on course for LĐTT."""
    excellent_member_percent: Fraction
    """Tập thể lao động xuất sắc: at least this share on course for LĐTT..."""
    excellent_min_fighters: int
    """... and at least this many for Chiến sĩ thi đua cơ sở."""


@dataclass(frozen=True)
class EmulationRules:
    program_weights: Mapping[str, Fraction]
    term_steps: tuple[tuple[int, Fraction], ...]
    """(months, weight), shortest term first; the first step is always 1 month."""
    thresholds: tuple[tuple[Tier, Fraction], ...]
    """(level, minimum score), best level first."""
    tier_names: Mapping[Tier, Names]
    collective: CollectiveRules
    retention_weight: Fraction = Fraction(0)
    """Share of the score taken by retention (renewed in time / fallen due); 0: none."""

    def term_weight(self, term_months: int | None) -> Fraction:
        """Weight of one participant paid for `term_months` (None: no term, weight 1)."""
        if term_months is None:
            return Fraction(1)
        if not 1 <= term_months <= MAX_TERM_MONTHS:
            raise ValueError(f"term_months must be 1..{MAX_TERM_MONTHS}, not {term_months}")
        months = [step_months for step_months, _ in self.term_steps]
        return self.term_steps[bisect.bisect_right(months, term_months) - 1][1]


_Invalid = EmulationConfigError
_LANGUAGES = ("vi", "en")


def _only(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    # A misspelt key would otherwise be ignored without a word.
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise _Invalid(f"{where}{unknown[0]}: unknown key (expected {', '.join(allowed)})")


def _table(
    parent: Mapping[str, Any], key: str, where: str, allowed: Sequence[str] = ()
) -> Mapping[str, Any]:
    """`parent[key]`, a table; with `allowed`, no keys but those."""
    value = parent.get(key)
    if not isinstance(value, dict):
        raise _Invalid(f"{where}{key}: {'missing' if value is None else 'must be a table'}")
    if allowed:
        _only(value, allowed, f"{where}{key}.")
    return value


def _number(table: Mapping[str, Any], key: str, where: str, *, positive: bool = False) -> Fraction:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problem = "missing" if value is None else f"must be a number, not {value!r}"
        raise _Invalid(f"{where}.{key}: {problem}")
    # Through str so that 0.6 means 3/5 exactly, not the nearest binary fraction.
    number = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    if number < 0 or (positive and number == 0):
        raise _Invalid(f"{where}.{key}: must be {'above 0' if positive else '>= 0'}")
    return number


def _tiers(data: Mapping[str, Any]) -> tuple[dict[Tier, Names], list[tuple[Tier, Fraction]]]:
    tables = _table(data, "tiers", "", list(Tier))
    names: dict[Tier, Names] = {}
    thresholds: list[tuple[Tier, Fraction]] = []
    for tier in Tier:
        has_minimum = tier is not Tier.NOT_COMPLETED
        allowed = ("min_percent", *_LANGUAGES) if has_minimum else _LANGUAGES
        table, where = _table(tables, tier, "tiers.", allowed), f"tiers.{tier}"
        texts = [table.get(language) for language in _LANGUAGES]
        for language, text in zip(_LANGUAGES, texts, strict=True):
            if not isinstance(text, str) or not text.strip():
                raise _Invalid(f"{where}.{language}: missing name")
        names[tier] = Names(*(str(text).strip() for text in texts))
        if has_minimum:
            minimum = _number(table, "min_percent", where)
            if thresholds and minimum >= thresholds[-1][1]:
                better, higher = thresholds[-1]
                raise _Invalid(
                    f"{where}.min_percent: {float(minimum):g} must be below "
                    f"tiers.{better}.min_percent ({float(higher):g})"
                )
            thresholds.append((tier, minimum))
    return names, thresholds


def _program_weights(data: Mapping[str, Any], programs: Sequence[Program]) -> dict[str, Fraction]:
    table = _table(data, "program_weights", "")
    weights = {code.upper(): _number(table, code, "program_weights") for code in table}
    if sum(weights.values()) <= 0:
        raise _Invalid("program_weights: at least one weight must be above 0")
    codes = {program.code for program in programs}
    mismatched = sorted(weights.keys() ^ codes) if programs else []
    if mismatched:
        code = mismatched[0]
        problem = "missing (a program in" if code in codes else "not a program in"
        raise _Invalid(f"program_weights.{code}: {problem} config/rules.toml")
    return weights


def _term_steps(data: Mapping[str, Any]) -> tuple[tuple[int, Fraction], ...]:
    table = _table(data, "term_weights", "")
    for months in table:
        if not months.isdigit() or not 1 <= int(months) <= MAX_TERM_MONTHS:
            raise _Invalid(f"term_weights.{months}: months must be 1..{MAX_TERM_MONTHS}")
    steps = sorted(
        (int(months), _number(table, months, "term_weights", positive=True)) for months in table
    )
    if not steps or steps[0][0] != 1:
        raise _Invalid("term_weights.1: missing (every term needs a step to fall back on)")
    for (short, light), (long, heavy) in itertools.pairwise(steps):
        if heavy < light:
            raise _Invalid(
                f"term_weights.{long}: {float(heavy):g} is less than term_weights.{short}"
                f" ({float(light):g}); a longer term may not weigh less"
            )
    return tuple(steps)


def parse_emulation_rules(
    data: Mapping[str, Any], programs: Sequence[Program] = ()
) -> EmulationRules:
    """Check `data` (a parsed emulation.toml) against `programs` (from rules.toml)."""
    _only(data, ("program_weights", "term_weights", "tiers", "collective", "retention"), "")
    tier_names, thresholds = _tiers(data)
    retention = _table(data, "retention", "", ("weight",)) if "retention" in data else {}
    weight = _number(retention, "weight", "retention") if retention else Fraction(0)
    if weight > 1:
        raise _Invalid("retention.weight: must be at most 1 (a share of the score)")
    return EmulationRules(
        program_weights=_program_weights(data, programs),
        term_steps=_term_steps(data),
        thresholds=tuple(thresholds),
        tier_names=tier_names,
        collective=_collective(data),
        retention_weight=weight,
    )


def _collective(data: Mapping[str, Any]) -> CollectiveRules:
    keys = ("advanced_member_percent", "excellent_member_percent", "excellent_min_fighters")
    table = _table(data, "collective", "", keys)
    shares = []
    for key in keys[:2]:
        share = _number(table, key, "collective", positive=True)
        if share > 100:
            raise _Invalid(f"collective.{key}: must be at most 100")
        shares.append(share)
    fighters = _number(table, keys[2], "collective")
    if fighters.denominator != 1:
        raise _Invalid(f"collective.{keys[2]}: must be a whole number")
    return CollectiveRules(shares[0], shares[1], int(fighters))


def load_emulation_rules(
    path: Path = DEFAULT_EMULATION_FILE, programs: Sequence[Program] = ()
) -> EmulationRules:
    """Read and check the file once, at start; any mistake names the file and the key."""
    try:
        with path.open("rb") as file:
            return parse_emulation_rules(tomllib.load(file), programs)
    except (OSError, tomllib.TOMLDecodeError, EmulationConfigError) as error:
        raise EmulationConfigError(f"{path}: {error}") from error
