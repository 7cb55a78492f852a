"""Running processes and update claims (issue 15), in SQL both backends run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.processes_repository import ClaimState, UpdateClaim
from storage.store_base import StoreBase


class ProcessStore(StoreBase):
    """Heartbeats and claims are bookkeeping (`_bookkeep`): a crash that loses the last
    few only lets a redelivery be handled again, which entries' source keys make
    harmless; waiting for the disk would cost each message two fsyncs."""

    async def _bookkeep_one(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        [rows] = await self._bookkeep((sql, params))
        return rows

    async def process_seen(self, owner: str, started_at: datetime, now: datetime) -> None:
        await self._bookkeep_one(
            "INSERT INTO bot_processes (owner, started_at, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at",
            (owner, started_at.isoformat(), now.isoformat()),
        )

    async def processes_seen(self) -> dict[str, datetime]:
        rows = await self._all("SELECT owner, seen_at FROM bot_processes")
        return {owner: datetime.fromisoformat(seen) for owner, seen in rows}

    async def claim_update(self, key: str, owner: str, now: datetime) -> UpdateClaim:
        # The primary key decides: of two processes inserting at once, one gets the row
        # (on PostgreSQL the other waits for its commit, then finds it: the SELECT is a
        # statement of its own, with a snapshot taken after the INSERT). The SELECT is
        # sent with the INSERT, whatever it gives: one round trip.
        claimed, rows = await self._bookkeep(
            (
                "INSERT INTO handled_updates (update_key, owner, claimed_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                (key, owner, now.isoformat()),
            ),
            ("SELECT owner, done_at, reply FROM handled_updates WHERE update_key = ?", (key,)),
        )
        if claimed:
            return UpdateClaim(ClaimState.MINE, owner)
        holder, done_at, reply = rows[0]
        return UpdateClaim(ClaimState.HELD if done_at is None else ClaimState.DONE, holder, reply)

    async def take_over_update(self, key: str, gone: str, owner: str, now: datetime) -> bool:
        rows = await self._bookkeep_one(
            "UPDATE handled_updates SET owner = ?, claimed_at = ?"
            " WHERE update_key = ? AND owner = ? AND done_at IS NULL RETURNING 1",
            (owner, now.isoformat(), key, gone),
        )
        return bool(rows)

    async def finish_update(self, key: str, owner: str, now: datetime, reply: str | None) -> None:
        await self._bookkeep_one(
            "UPDATE handled_updates SET done_at = ?, reply = ? WHERE update_key = ? AND owner = ?",
            (now.isoformat(), reply, key, owner),
        )

    async def release_update(self, key: str, owner: str) -> None:
        await self._bookkeep_one(
            "DELETE FROM handled_updates WHERE update_key = ? AND owner = ? AND done_at IS NULL",
            (key, owner),
        )

    async def forget_updates(self, before: datetime) -> int:
        rows = await self._write(
            "DELETE FROM handled_updates WHERE claimed_at < ? RETURNING 1", (before.isoformat(),)
        )
        return len(rows)
