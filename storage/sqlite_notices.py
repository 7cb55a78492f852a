"""The channel each member last used, on SQLite."""

from __future__ import annotations

from datetime import datetime

from storage.store_base import StoreBase
from tracker.models import Channel


class NoticeStore(StoreBase):
    async def note_channel(self, member_id: int, channel: Channel, now: datetime) -> None:
        # One statement, its own transaction: one round trip on PostgreSQL.
        await self._write(
            "INSERT INTO member_channels (member_id, channel, at) VALUES (?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET channel = excluded.channel, at = excluded.at",
            (member_id, channel.value, now.isoformat()),
        )

    async def last_channel(self, member_id: int) -> Channel | None:
        row = await self._one(
            "SELECT channel FROM member_channels WHERE member_id = ?", (member_id,)
        )
        if row is None:
            return None
        try:
            return Channel(row[0])
        except ValueError:  # a channel this version does not know (yet)
            return None
