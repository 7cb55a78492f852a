"""The SMS channel's bookkeeping: refusals to unknown numbers, pushed SMS per day."""

from __future__ import annotations

from datetime import date

from storage.store_base import Db, StoreBase


class SmsStore(StoreBase):
    async def claim_refusal(self, number_hash: str, day: date) -> bool:
        async def work(db: Db) -> bool:
            # Only today's hashes are needed to rate-limit; older ones go.
            await db.execute("DELETE FROM sms_refusals WHERE day < ?", (day.isoformat(),))
            rows = await db.execute_fetchall(
                "INSERT INTO sms_refusals (number_hash, day) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                (number_hash, day.isoformat()),
            )
            return bool(rows)

        return await self._run_write(work)

    async def claim_outbound(self, phone: str, day: date, cap: int) -> bool:
        if cap <= 0:
            return False

        async def work(db: Db) -> bool:
            await db.execute("DELETE FROM sms_outbound_daily WHERE day < ?", (day.isoformat(),))
            rows = await db.execute_fetchall(
                "INSERT INTO sms_outbound_daily (phone, day, sent) VALUES (?, ?, 1)"
                " ON CONFLICT (phone, day) DO UPDATE SET sent = sms_outbound_daily.sent + 1"
                " WHERE sms_outbound_daily.sent < ?"
                " RETURNING sent",
                (phone, day.isoformat(), cap),
            )
            return bool(rows)

        return await self._run_write(work)

    async def release_outbound(self, phone: str, day: date) -> None:
        await self._write(
            "UPDATE sms_outbound_daily SET sent = sent - 1"
            " WHERE phone = ? AND day = ? AND sent > 0",
            (phone, day.isoformat()),
        )

    async def outbound_count(self, phone: str, day: date) -> int:
        row = await self._one(
            "SELECT sent FROM sms_outbound_daily WHERE phone = ? AND day = ?",
            (phone, day.isoformat()),
        )
        return 0 if row is None else int(row[0])
