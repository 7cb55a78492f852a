"""What participants who stay ask of storage (issue 14): due lists, renewals, unit counts.

A participant is still only a keyed hash plus the last 3 digits. Where each one stands
(owner, paid-until date) is kept current by storage from entries and renewals; the
rules that decide dates and kinds are `tracker.renewals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from tracker.participant_counts import CountEvent, CountFigure, CountRow
from tracker.periods import Period
from tracker.renewals import RenewalKind


@dataclass(frozen=True)
class DueParticipant:
    """A participant whose paid term ends (or ended) in a due window."""

    last3: str
    program: str
    paid_until: date
    member_id: int
    member_name: str
    """Who logged them, and so owns the renewal."""


@dataclass(frozen=True)
class DueCount:
    member_id: int
    member_name: str
    upcoming: int
    """Falling due from today on."""
    overdue: int
    """Fell due before today, still within the grace."""


@dataclass(frozen=True)
class UnitDueCount:
    """Due dates of participants logged in one unit (not its subtree)."""

    unit_id: int
    upcoming: int
    overdue: int


@dataclass(frozen=True)
class NewRenewal:
    participant_hash: str
    last3: str
    program: str
    day: date
    term_months: int
    created_at: datetime
    member_id: int | None = None
    """Who typed it; None when it only comes from collection records."""
    unit_id: int | None = None
    """The typer's unit: the participant must have been logged in its subtree."""
    source_key: str | None = None
    collected_from: str | None = None
    """`file:line` of the collection record that showed the payment."""


class RenewalOutcome(StrEnum):
    RECORDED = "recorded"
    REPEATED = "repeated"
    """The same message or collection record again: nothing changed."""
    PAIRED = "paired"
    """The other source had this payment already: the two are one renewal."""
    UNKNOWN = "unknown"
    """The participant was never logged (in the typer's subtree): nothing stored."""


@dataclass(frozen=True)
class RenewalResult:
    outcome: RenewalOutcome
    kind: RenewalKind | None = None
    paid_until: date | None = None
    due_was: date | None = None


@dataclass(frozen=True)
class RetentionFigures:
    """A subtree's renewals and dues of a period, per program."""

    program: str
    renewed: int
    """Renewals paid in the period (typed or collected, each payment once)."""
    fallen_due: int
    """Paid-until dates in the period up to today."""
    retained: int
    """Of those, renewed in time (before the grace ran out)."""
    lapsed: int
    """Paid-until dates in the period whose grace ran out unpaid (known by today)."""


class RenewalRepository(Protocol):
    async def due_for_member(self, member_id: int, first: date, last: date) -> list[DueParticipant]:
        """The member's own participants with a paid-until date in [first, last]."""
        ...

    async def due_in_subtree(self, unit_id: int, first: date, last: date) -> list[DueParticipant]:
        """Everyone's in the subtree of `unit_id`, by logger then date."""
        ...

    async def due_counts(
        self, unit_id: int, first: date, last: date, today: date
    ) -> list[DueCount]:
        """Per logger in the subtree of `unit_id`: how many fall due, how many are overdue."""
        ...

    async def due_counts_by_unit(
        self, unit_id: int, first: date, last: date, today: date
    ) -> list[UnitDueCount]:
        """Per unit of the subtree of `unit_id` with any: upcoming and overdue."""
        ...

    async def due_counts_everywhere(self, first: date, last: date) -> dict[int, int]:
        """Per member of every unit: participants with a paid-until date in [first, last]."""
        ...

    async def record_renewal(self, renewal: NewRenewal, grace_days: int) -> RenewalResult:
        """Store a renewal atomically: a repeat or the other source's same payment counts once."""
        ...

    async def import_participant_counts(self, rows: list[CountRow], now: datetime) -> int:
        """All rows or none (ImportRejected names unknown units by line)."""
        ...

    async def count_figures(self, unit_id: int) -> list[CountFigure]:
        """Every imported figure of the subtree of `unit_id`, oldest first."""
        ...

    async def own_count_figures(self, unit_id: int) -> list[CountFigure]:
        """The figures imported for `unit_id` itself (not for the units below), oldest first."""
        ...

    async def enrolments(
        self, unit_id: int, after: date, through: date
    ) -> dict[str, tuple[int, int]]:
        """Per program over the subtree and the days in (after, through]: new enrolments
        and rejoining participants, as `count_events` counts them, added up."""
        ...

    async def period_enrolments(
        self, unit_id: int, period: Period, as_of: date
    ) -> dict[str, tuple[int, int]]:
        """`enrolments` over the days of `period` through `as_of`, read from sums kept
        per unit where they answer it (a whole country's period in one row per unit)."""
        ...

    async def kept_enrolments(
        self, unit_id: int, after: date, through: date
    ) -> dict[str, tuple[int, int]]:
        """`enrolments`, read from sums kept per unit and month where they answer it."""
        ...

    async def lapses(
        self, unit_id: int, after: date, through: date, lapsed_before: date
    ) -> dict[str, int]:
        """Per program over the subtree and the days in (after, through]: the lapses
        `count_events` counts, added up."""
        ...

    async def count_events(
        self, unit_id: int, after: date, through: date, lapsed_before: date
    ) -> list[CountEvent]:
        """Per unit of the subtree, program and day in (after, through]: new enrolments,
        rejoining, and lapses dated then whose grace ran out before `lapsed_before`."""
        ...

    async def member_retention(
        self, unit_id: int, first: date, last: date, today: date
    ) -> dict[int, tuple[int, int]]:
        """Per logger in the subtree: (renewed in time, fallen due) of the paid-until dates
        in [first, min(last, today)] of the participants they logged."""
        ...

    async def unit_lineages(self, unit_id: int) -> dict[int, str]:
        """Each unit of the subtree of `unit_id` and its lineage (`/1/4/9/`)."""
        ...

    async def retention(
        self, unit_id: int, first: date, last: date, today: date, grace_days: int
    ) -> list[RetentionFigures]:
        """Renewals and dues of the subtree of `unit_id` in [first, last], per program."""
        ...
