"""What more than one bot process on one database asks of storage (issue 15).

Each process says it is alive (`process_seen`); each update a channel delivers is
claimed once across processes (`claim_update`), finished with its reply, and taken
over when the process holding it is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class ClaimState(StrEnum):
    MINE = "mine"
    """This call claimed it: handle it, then `finish_update`."""
    DONE = "done"
    """Handled already (by any process): do nothing again."""
    HELD = "held"
    """Another claim is still open: its owner is handling it, or is gone."""


@dataclass(frozen=True)
class UpdateClaim:
    state: ClaimState
    owner: str
    reply: str | None = None
    """For DONE: what the first handling answered (an SMS reply), if it kept one."""


class ProcessRepository(Protocol):
    async def process_seen(self, owner: str, started_at: datetime, now: datetime) -> None:
        """Record that the process `owner` is alive at `now`."""
        ...

    async def processes_seen(self) -> dict[str, datetime]:
        """Each process that ever said it was alive here, and when it last did."""
        ...

    async def claim_update(self, key: str, owner: str, now: datetime) -> UpdateClaim: ...

    async def take_over_update(self, key: str, gone: str, owner: str, now: datetime) -> bool:
        """Claim an unfinished update whose owner `gone` is gone; False when another
        process took it over first (or it got finished)."""
        ...

    async def finish_update(
        self, key: str, owner: str, now: datetime, reply: str | None
    ) -> None: ...

    async def release_update(self, key: str, owner: str) -> None:
        """Drop our unfinished claim (handling failed): a redelivery handles it afresh."""
        ...

    async def forget_updates(self, before: datetime) -> int:
        """Delete claims made before `before`; how many."""
        ...
