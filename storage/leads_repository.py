"""What the lead tools (quotas, review, audit log, export) ask of storage.

A `scope` is the unit whose subtree a lead manages, or None for an admin (everything).
Every change made here is written to the audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tracker.models import Entry, EntryState, TargetKind, Unit


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor_name: str
    unit_id: int
    action: str
    """`quota`, `entry.confirm`, `entry.reject`."""
    subject: str
    before: str | None
    after: str | None
    unit_path: str = ""
    """The unit the change concerns, by name."""


@dataclass(frozen=True)
class PendingEntry:
    entry: Entry
    member_name: str


@dataclass(frozen=True)
class QuotaTarget:
    """Whose quota changes, and how the audit log names them."""

    kind: TargetKind
    id: int
    unit_id: int
    """The unit the change is filed under (the member's unit, or the unit itself)."""
    label: str


@dataclass(frozen=True)
class Review:
    """An entry as it was before a review, and whether the review changed it."""

    before: Entry
    member_name: str
    changed: bool


@dataclass(frozen=True)
class RejectedEntry:
    entry: Entry
    member_name: str
    reason: str | None
    duplicate: bool
    """Stored rejected because it repeats a participant counted elsewhere."""


class LeadRepository(Protocol):
    async def units_in_scope(self, scope: int | None) -> list[Unit]: ...
    async def unit_in_scope(self, unit_id: int, scope: int | None) -> bool: ...
    async def change_quotas(
        self,
        target: QuotaTarget,
        program: str,
        values: Mapping[str, int | None],
        actor_id: int,
        now: datetime,
    ) -> dict[str, int | None]:
        """Set (or, for None, remove) quotas by period key; returns the values before.
        Each change is audited, and the first key always (the period the lead named)."""
        ...

    async def pending_entries(self, scope: int | None, limit: int) -> list[PendingEntry]: ...
    async def pending_page(
        self, scope: int | None, member_id: int | None, offset: int, limit: int
    ) -> tuple[int, list[PendingEntry]]:
        """How many reported entries wait in `scope` (of one member, if given), and one
        page of them, newest first."""
        ...

    async def review_entry(
        self,
        entry_id: int,
        scope: int | None,
        to: EntryState,
        allowed_from: tuple[EntryState, ...],
        actor_id: int,
        reason: str | None,
        now: datetime,
    ) -> Review | None:
        """None when the entry does not exist within `scope`; changes it only from
        a state in `allowed_from`."""
        ...

    async def rejected_entry(self, entry_id: int, scope: int | None) -> RejectedEntry | None:
        """The entry when it exists within `scope` and is rejected; None otherwise."""
        ...

    async def reopen_entry(
        self, entry_id: int, scope: int | None, actor_id: int, now: datetime
    ) -> Review | None:
        """Confirm a rejected entry (not a duplicate), keeping its rejection reason; the
        audit log records it. None when there is no such entry within `scope`."""
        ...

    async def audit_log(self, scope: int | None, limit: int) -> list[AuditRecord]: ...
