"""Open questions (pending choices) on SQLite: one row per member and channel."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.choices_repository import PendingChoice
from storage.store_base import Db, StoreBase
from tracker.models import Channel


class ChoiceStore(StoreBase):
    async def offer_choice(
        self, member_id: int, channel: Channel, choice: PendingChoice, now: datetime
    ) -> None:
        async def work(db: Db) -> None:
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

        await self._run_write(work)

    async def take_choice(
        self, member_id: int, channel: Channel, now: datetime
    ) -> PendingChoice | None:
        # One statement: two processes answering at once cannot both take it.
        async def work(db: Db) -> list[Any]:
            return await db.execute_fetchall(
                "DELETE FROM pending_choices WHERE member_id = ? AND channel = ?"
                " RETURNING options, confirms, expires_at",
                (member_id, channel.value),
            )

        rows = await self._run_write(work)
        row = next(iter(rows), None)
        if row is None:
            return None
        expires_at = datetime.fromisoformat(row[2])
        if expires_at <= now:
            return None
        return PendingChoice(tuple(json.loads(row[0])), bool(row[1]), expires_at)
