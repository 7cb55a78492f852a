"""Reconciliation with official collection records: which entries a payment confirms.

A collection file (`participant_code,program,date_paid,term`, one row per payment the
BHXH collection system recorded) is read row by row, the codes hashed with the same key
as entries. A row confirms the entry of the same participant (hash) and program logged
within `WINDOW_DAYS` of the payment date, the nearest such entry first; each row
confirms at most one entry and each entry is claimed by at most one row. What is left:
reported entries of the file's period (first to last payment date) that no row claims,
and rows that no entry claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from tracker.imports import Problem, _rows
from tracker.models import EntryState
from tracker.participants import CODE_LENGTHS, TERMS, last3, participant_hash

COLLECTION_COLUMNS = ("participant_code", "program", "date_paid", "term")
WINDOW_DAYS = 45
"""An officer logs an enrollment when the form is signed; the payment reaches the
collection system days or weeks later (or was made a little before the log)."""


@dataclass(frozen=True)
class CollectionRow:
    line: int
    participant_hash: str
    last3: str
    program: str
    paid: date
    term_months: int


class Claimable(Protocol):
    """What matching needs of an entry (storage's ParticipantEntry has it)."""

    @property
    def id(self) -> int: ...
    @property
    def participant_hash(self) -> str: ...
    @property
    def program(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def state(self) -> EntryState: ...


E = TypeVar("E", bound=Claimable)


@dataclass(frozen=True)
class Reconciliation(Generic[E]):
    matched: list[tuple[CollectionRow, E]]
    unmatched: list[E]
    """Reported entries of the file's period that no row claims."""
    unclaimed: list[CollectionRow]
    first: date
    last: date


def search_range(rows: Sequence[CollectionRow], window: int = WINDOW_DAYS) -> tuple[date, date]:
    """The entry days worth reading for `rows` (non-empty)."""
    days = [row.paid for row in rows]
    return min(days) - timedelta(days=window), max(days) + timedelta(days=window)


def reconcile(
    rows: Sequence[CollectionRow], entries: Iterable[E], window: int = WINDOW_DAYS
) -> Reconciliation[E]:
    """Match rows to entries (pure); rows in file order, the nearest entry day first."""
    candidates: dict[tuple[str, str], list[E]] = {}
    for entry in entries:
        candidates.setdefault((entry.participant_hash, entry.program), []).append(entry)
    claimed: set[int] = set()
    matched: list[tuple[CollectionRow, E]] = []
    unclaimed: list[CollectionRow] = []
    for row in sorted(rows, key=lambda r: r.line):
        near = [
            entry
            for entry in candidates.get((row.participant_hash, row.program), [])
            if entry.id not in claimed and abs((entry.day - row.paid).days) <= window
        ]
        if not near:
            unclaimed.append(row)
            continue
        best = min(near, key=lambda entry: (abs((entry.day - row.paid).days), entry.id))
        claimed.add(best.id)
        matched.append((row, best))
    first = min((row.paid for row in rows), default=date.min)
    last = max((row.paid for row in rows), default=date.min)
    unmatched = [
        entry
        for group in candidates.values()
        for entry in group
        if entry.id not in claimed
        and entry.state is EntryState.REPORTED
        and first <= entry.day <= last
    ]
    unmatched.sort(key=lambda entry: entry.id)
    return Reconciliation(matched, unmatched, unclaimed, first, last)


def parse_date(text: str) -> date:
    """`2026-11-20` or `20/11/2026`; ValueError otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError(text)


def parse_collections(
    text: str, program_codes: tuple[str, ...], secret: str
) -> tuple[list[CollectionRow], list[Problem]]:
    """Every row checked and hashed; problems by line (a code is never echoed)."""
    problems: list[Problem] = []
    found: list[CollectionRow] = []
    for line, (code, program, paid, term) in _rows(text, COLLECTION_COLUMNS, problems):
        code = "".join(code.split())
        if not (code.isascii() and code.isdigit() and len(code) in CODE_LENGTHS):
            problems.append(Problem(line, "collections.bad_code"))
            continue
        if program.upper() not in program_codes:
            problems.append(Problem(line, "import.bad_program", {"given": program}))
            continue
        try:
            day = parse_date(paid)
        except ValueError:
            problems.append(Problem(line, "collections.bad_date", {"given": paid}))
            continue
        if not (term.isascii() and term.isdigit() and len(term) <= 4 and int(term) in TERMS):
            terms = ", ".join(str(t) for t in TERMS)
            problems.append(Problem(line, "collections.bad_term", {"given": term, "terms": terms}))
            continue
        found.append(
            CollectionRow(
                line, participant_hash(code, secret), last3(code), program.upper(), day, int(term)
            )
        )
    return found, problems
