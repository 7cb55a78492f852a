"""What the bot's open questions ask of storage: one pending choice per member and channel.

A choice is a short list of command lines the member may pick from by answering (`CO`,
`y`, a button, a number). It lives in the database so that a second bot process, or the
same one after a restart, can finish a flow another started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tracker.models import Channel


@dataclass(frozen=True)
class PendingChoice:
    options: tuple[str, ...]
    """Command lines, in the order offered."""
    confirms: bool
    """Running the picked option counts as the member's confirmation."""
    expires_at: datetime


class ChoiceRepository(Protocol):
    async def offer_choice(
        self, member_id: int, channel: Channel, choice: PendingChoice, now: datetime
    ) -> None:
        """Open `choice` for the member on `channel`, replacing any earlier one."""
        ...

    async def take_choice(
        self, member_id: int, channel: Channel, now: datetime
    ) -> PendingChoice | None:
        """The member's open choice on `channel`, removed so it is answered only once;
        None when there is none or it expired."""
        ...
