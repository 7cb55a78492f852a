"""Open questions (pending choices) on SQLite: one row per member and channel."""

from __future__ import annotations

import json
from datetime import datetime

from storage.choices_repository import PendingChoice
from storage.store_base import StoreBase
from tracker.models import Channel


class ChoiceStore(StoreBase):
    async def offer_choice(
        self, member_id: int, channel: Channel, choice: PendingChoice, now: datetime
    ) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO pending_choices"
                " (member_id, channel, options, confirms, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, channel) DO UPDATE SET"
                " options = excluded.options, confirms = excluded.confirms,"
                " created_at = excluded.created_at, expires_at = excluded.expires_at",
                (
                    member_id,
                    channel.value,
                    json.dumps(list(choice.options), ensure_ascii=False),
                    int(choice.confirms),
                    now.isoformat(),
                    choice.expires_at.isoformat(),
                ),
            )

    async def take_choice(
        self, member_id: int, channel: Channel, now: datetime
    ) -> PendingChoice | None:
        # One statement: two processes answering at once cannot both take it.
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "DELETE FROM pending_choices WHERE member_id = ? AND channel = ?"
                " RETURNING options, confirms, expires_at",
                (member_id, channel.value),
            )
        row = next(iter(rows), None)
        if row is None:
            return None
        expires_at = datetime.fromisoformat(row[2])
        if expires_at <= now:
            return None
        return PendingChoice(tuple(json.loads(row[0])), bool(row[1]), expires_at)
