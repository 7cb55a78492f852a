"""What the scheduler needs from storage: exactly-once bookkeeping and a unit's daily totals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from tracker.models import Member, TargetKind, Unit


class DeliveryState(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: int


@dataclass(frozen=True)
class Delivery:
    kind: str
    period_key: str
    target: Target
    state: DeliveryState
    attempts: int
    retry_at: datetime | None


@dataclass(frozen=True)
class Occurrence:
    kind: str
    period_key: str
    fire_at: datetime
    planned_at: datetime | None = None
    """When it was recorded (None before): its messages are tried until a deadline
    counted from here."""


class ScheduleRepository(Protocol):
    async def plan_occurrence(
        self, occurrence: Occurrence, targets: Sequence[Target], now: datetime
    ) -> bool:
        """Record the occurrence and one planned delivery per target, all or nothing.
        False (nothing written) when it was recorded before."""
        ...

    async def occurrence_recorded(self, kind: str, period_key: str) -> bool: ...

    async def open_occurrences(self) -> list[Occurrence]:
        """Occurrences with deliveries still to make, oldest first."""
        ...

    async def deliveries(self, kind: str, period_key: str) -> list[Delivery]: ...

    async def claim_delivery(
        self, delivery: Delivery, now: datetime, owner: str | None = None
    ) -> int | None:
        """Move a planned delivery to `sending` by `owner` (the claiming process) and
        count the attempt (committed before the send); its attempt number, or None when
        someone else has it."""
        ...

    async def finish_delivery(
        self,
        delivery: Delivery,
        state: DeliveryState,
        now: datetime,
        *,
        channel: str | None = None,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None: ...

    async def close_occurrence(self, kind: str, period_key: str, now: datetime) -> bool:
        """Mark it done when no delivery is left planned or sending; whether it is done."""
        ...

    async def abandon_interrupted(
        self, now: datetime, owner_alive: Callable[[str], bool] | None = None
    ) -> int:
        """Deliveries left `sending` by a process that is gone become `unknown`; how many.
        `owner_alive(owner)` tells a live sender's (left alone); None: every owner is gone."""
        ...

    async def bound_units(self) -> list[Unit]:
        """Units with a team group, in path order."""
        ...

    async def unit_leads(self) -> list[Member]:
        """Every lead and admin, by id: who reads a summary privately when their unit has
        no group the bot can post to."""
        ...

    async def root_units(self) -> list[Unit]: ...

    async def daily_totals(
        self, unit_id: int, first: date, last: date
    ) -> dict[date, dict[str, int]]:
        """Counting participants per entry day in [first, last] and program, credited to
        the unit subtree the entries were logged in."""
        ...
