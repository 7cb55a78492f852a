"""`import-participant-counts FILE.csv`: the official count of a unit on a day, checked.

Columns `unit,program,as_of,count`; the unit is its path, the day `2026-10-31` or
`31/10/2026`, the count a whole number (`14.817` as BHXH writes it is read too).
"""

from __future__ import annotations

from datetime import date

from tracker.imports import Problem, _rows
from tracker.participant_counts import CountRow
from tracker.reconcile import parse_date

COUNT_COLUMNS = ("unit", "program", "as_of", "count")


def parse_counts(text: str, program_codes: tuple[str, ...]) -> tuple[list[CountRow], list[Problem]]:
    """`unit,program,as_of,count`; every problem by line (a file with any stores nothing)."""
    problems: list[Problem] = []
    found: list[CountRow] = []
    first_line: dict[tuple[str, str, date], int] = {}
    for line, (unit, program, as_of, raw_count) in _rows(text, COUNT_COLUMNS, problems):
        if program.upper() not in program_codes:
            problems.append(Problem(line, "import.bad_program", {"given": program}))
            continue
        try:
            day = parse_date(as_of)
        except ValueError:
            problems.append(Problem(line, "counts.bad_date", {"given": as_of}))
            continue
        digits = raw_count.replace(".", "").replace(",", "")  # 14.817 as BHXH writes it
        if not (digits.isascii() and digits.isdigit()):
            problems.append(Problem(line, "counts.bad_count", {"given": raw_count}))
            continue
        key = (unit.casefold(), program.upper(), day)
        if key in first_line:
            problems.append(Problem(line, "counts.repeated", {"first": first_line[key]}))
            continue
        first_line[key] = line
        found.append(CountRow(line, unit, program.upper(), day, int(digits)))
    return found, problems
