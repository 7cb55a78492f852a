"""The tunable business rules (`config/rules.toml`), checked once at start."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tracker.models import Program
from tracker.renewals import GRACE_DAYS

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "rules.toml"


class RulesError(ValueError):
    """The rules file is wrong; the message names what to fix."""


@dataclass(frozen=True)
class Rules:
    programs: tuple[Program, ...]
    max_entry_count: int = 50
    backdate_days: int = 7
    holidays: frozenset[date] = frozenset()
    grace_days: int = GRACE_DAYS
    """Days after a paid-until date before an unrenewed participant counts as lapsed."""

    def program(self, code: str) -> Program | None:
        code = code.upper()
        return next((program for program in self.programs if program.code == code), None)

    @property
    def program_codes(self) -> tuple[str, ...]:
        return tuple(program.code for program in self.programs)


def parse_rules(data: dict[str, Any]) -> Rules:
    entries = data.get("entries", {})
    programs = []
    for index, raw in enumerate(data.get("programs", []), start=1):
        missing = {"code", "name_vi", "name_en"} - raw.keys()
        if missing:
            raise RulesError(f"programs #{index}: missing {', '.join(sorted(missing))}")
        if not str(raw["code"]).isalnum():
            raise RulesError(f"programs #{index}: code must be letters or digits")
        programs.append(Program(str(raw["code"]).upper(), raw["name_vi"], raw["name_en"]))
    if not programs:
        raise RulesError("programs: at least one program is needed")
    if len({program.code for program in programs}) != len(programs):
        raise RulesError("programs: codes must be unique")
    max_count = entries.get("max_count", 50)
    backdate = entries.get("backdate_days", 7)
    if not (isinstance(max_count, int) and max_count >= 1):
        raise RulesError("entries.max_count must be a whole number >= 1")
    if not (isinstance(backdate, int) and backdate >= 0):
        raise RulesError("entries.backdate_days must be a whole number >= 0")
    try:
        holidays = frozenset(
            date.fromisoformat(day) for day in data.get("calendar", {}).get("holidays", [])
        )
    except (TypeError, ValueError) as error:
        raise RulesError(f"calendar.holidays: dates are written 2026-02-17 ({error})") from None
    grace = data.get("participants", {}).get("grace_days", GRACE_DAYS)
    if not (isinstance(grace, int) and not isinstance(grace, bool) and grace >= 0):
        raise RulesError("participants.grace_days must be a whole number of days >= 0")
    return Rules(tuple(programs), max_count, backdate, holidays, grace)


def load_rules(path: Path = DEFAULT_RULES_FILE) -> Rules:
    try:
        with path.open("rb") as file:
            return parse_rules(tomllib.load(file))
    except (OSError, tomllib.TOMLDecodeError, RulesError) as error:
        raise RulesError(f"{path}: {error}") from error
