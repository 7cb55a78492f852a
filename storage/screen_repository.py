"""What the office TV asks of storage: its links, and what changed since it last looked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Screen:
    """A link to a unit's live board (a TV on the office wall, a lead's browser)."""

    id: int
    unit_id: int
    hint: str
    """The token's first characters, to tell links apart (the token itself is not kept)."""
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Changes:
    """Entry changes committed after `since`: the counter now, and every unit whose
    board they reach (the units they were logged in, their members' units, and all
    the ancestors of those, since a board counts its whole subtree)."""

    seq: int
    units: frozenset[int]


@dataclass(frozen=True)
class Celebration:
    """Someone met a monthly quota: their team heard of it once (see `claim_celebration`)."""

    name: str
    program: str
    at: datetime


class ScreenRepository(Protocol):
    async def create_screen(
        self, unit_id: int, token_hash: str, hint: str, actor_id: int, now: datetime
    ) -> Screen:
        """A new link for `unit_id`, audited in the same transaction."""
        ...

    async def open_screens(self, unit_id: int) -> list[Screen]:
        """The unit's links not revoked, oldest first."""
        ...

    async def revoke_screen(
        self, screen_id: int, unit_id: int, actor_id: int, now: datetime
    ) -> Screen | None:
        """Revoke one of the unit's open links (audited); None when there is none such."""
        ...

    async def screen_by_token_hash(self, token_hash: str) -> Screen | None: ...

    async def revoked_among(self, screen_ids: Iterable[int]) -> set[int]:
        """Which of these links have been revoked (or no longer exist)."""
        ...

    async def changes_since(self, seq: int | None) -> Changes:
        """Entry changes after `seq`; None asks only for the counter now."""
        ...

    async def recent_celebrations(
        self, unit_id: int, month_key: str, limit: int
    ) -> list[Celebration]:
        """The subtree's quota-met celebrations of the month, newest first."""
        ...

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` (cheap, synchronous) after every commit of this process."""
        ...
