"""What participant details and reconciliation ask of storage (issue 4, parts 5 and 6).

Storage never sees a participant's code: only the keyed hash and the last 3 digits
(`tracker.participants`). The secret for the hash is configured on the repository
once, at start-up, so every channel and the operator CLI hash with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from tracker.models import Entry, EntryState, Member, NewEntry
from tracker.participants import HashedParticipant


class ParticipantKeyChanged(Exception):
    """The configured secret is not the one the stored hashes were made with."""


@dataclass(frozen=True)
class EarlierEntry:
    """The counting entry a new one duplicates."""

    id: int
    member_id: int
    member_name: str
    unit_id: int
    day: date


@dataclass(frozen=True)
class DetailedLog:
    entry: Entry
    created: bool
    """False for a repeated message (same source key): nothing new was stored."""
    duplicate_of: EarlierEntry | None
    """Set when the entry was stored as a duplicate and does not count."""


@dataclass(frozen=True)
class ParticipantEntry:
    """An entry with a participant hash, as reconciliation sees it."""

    id: int
    member_id: int
    member_name: str
    unit_id: int
    program: str
    day: date
    state: EntryState
    participant_hash: str
    last3: str
    term_months: int | None


@dataclass(frozen=True)
class Confirmation:
    """An entry an official collection row matched: confirm it (and fill its term)."""

    entry_id: int
    line: int
    term_months: int


class ParticipantRepository(Protocol):
    @property
    def participant_secret(self) -> str | None: ...
    def use_participant_secret(self, secret: str | None) -> None: ...
    async def add_detailed_entry(
        self, entry: NewEntry, participant: HashedParticipant
    ) -> DetailedLog:
        """Store an entry with participant details; a duplicate is stored not counting.

        The duplicate check and the insert are one transaction. Raises
        ParticipantKeyChanged when the secret differs from the one of stored hashes.
        """
        ...

    async def leads_over(self, unit_id: int) -> list[Member]:
        """The leads of the nearest unit at or above `unit_id` that has any."""
        ...

    async def participant_key_matches(self, secret: str) -> bool: ...
    async def first_admin(self) -> Member | None:
        """Who an operator's reconciliation is audited as, unless told otherwise."""
        ...

    async def participant_entries(self, first: date, last: date) -> list[ParticipantEntry]:
        """Counting entries with a participant hash, logged on a day in [first, last]."""
        ...

    async def confirm_collected(
        self, confirmations: list[Confirmation], actor_id: int, source: str, now: datetime
    ) -> int:
        """Confirm each entry still reported, audited as `actor_id`; how many changed."""
        ...
