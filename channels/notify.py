"""One way to reach a member with a notice: the chat channel they used last, else the rest.

Each channel registers how it delivers to a member (`Deliver`: True when it reached
them, False when the member cannot be reached there, e.g. not linked). A notice tries
the channel the member used last first, then the others in the order they registered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from storage.repository import Repository
from tracker.models import Channel, Member

logger = logging.getLogger(__name__)

Deliver = Callable[[Member, str], Awaitable[bool]]


class Notifier:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.senders: dict[Channel, Deliver] = {}

    def register(self, channel: Channel, deliver: Deliver) -> None:
        self.senders[channel] = deliver

    async def deliver(self, member_id: int, text: str) -> Channel | None:
        """The channel that took the notice, or None when no channel reaches the member."""
        member = await self.repo.member(member_id)
        last = await self.repo.last_channel(member_id)
        order = sorted(self.senders, key=lambda channel: channel != last)  # stable: last first
        for channel in order:
            try:
                if await self.senders[channel](member, text):
                    return channel
            except Exception:
                logger.exception("notice to member %s by %s failed", member_id, channel)
        return None
