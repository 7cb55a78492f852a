"""What delivering notices asks of storage: the channel each member last used."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tracker.models import Channel


class NoticeRepository(Protocol):
    async def note_channel(self, member_id: int, channel: Channel, now: datetime) -> None:
        """Remember that the member last wrote from `channel`."""
        ...

    async def last_channel(self, member_id: int) -> Channel | None: ...
