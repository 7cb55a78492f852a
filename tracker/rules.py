"""The tunable business rules (`config/rules.toml`), checked once at start."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from tracker.models import Program
from tracker.renewals import GRACE_DAYS
from tracker.text import fold

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
        """The program by its code (`TN`), or by the first word of its Vietnamese name when
        no other program's name starts with it (`BHXH` for TN, `BHYT` for YT)."""
        code = code.upper()
        found = next((program for program in self.programs if program.code == code), None)
        return found or self.aliases.get(code)

    @cached_property
    def aliases(self) -> dict[str, Program]:
        """`BHXH` -> TN, `BHYT` -> YT: a name's first word, where only one name has it."""
        by_word: dict[str, list[Program]] = {}
        for program in self.programs:
            word = fold(program.name_vi).split()[0].upper() if program.name_vi.strip() else ""
            by_word.setdefault(word, []).append(program)
        codes = set(self.program_codes)
        return {
            word: programs[0]
            for word, programs in by_word.items()
            if word and len(programs) == 1 and word not in codes
        }

    def max_quota(self, code: str) -> int:
        program = self.program(code)
        return program.max_quota if program is not None else 0

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
        max_quota = raw.get("max_quota", 1_000_000)
        if not (isinstance(max_quota, int) and max_quota >= 1):
            raise RulesError(f"programs #{index}: max_quota must be a whole number >= 1")
        code = str(raw["code"]).upper()
        programs.append(Program(code, raw["name_vi"], raw["name_en"], max_quota))
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
