"""Scheduled summaries and reminders: exactly-once bookkeeping, daily totals for trends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from storage.schedule_repository import Delivery, DeliveryState, Occurrence, Target
from storage.store_base import (
    COUNTING,
    MEMBER_COLUMNS,
    UNIT_COLUMNS,
    Db,
    StoreBase,
    member_from,
    unit_from,
)
from tracker.models import Member, TargetKind, Unit

_DELIVERY_COLUMNS = "kind, period_key, target_kind, target_id, state, attempts, retry_at"


def _delivery(row: Any) -> Delivery:
    retry_at = None if row[6] is None else datetime.fromisoformat(row[6])
    target = Target(TargetKind(row[2]), int(row[3]))
    return Delivery(row[0], row[1], target, DeliveryState(row[4]), int(row[5]), retry_at)


class ScheduleStore(StoreBase):
    async def plan_occurrence(
        self, occurrence: Occurrence, targets: Sequence[Target], now: datetime
    ) -> bool:
        async def work(db: Db) -> bool:
            rows = await db.execute_fetchall(
                "INSERT INTO schedule_occurrences (kind, period_key, fire_at, state, planned_at)"
                " VALUES (?, ?, ?, 'planned', ?) ON CONFLICT DO NOTHING RETURNING 1",
                (
                    occurrence.kind,
                    occurrence.period_key,
                    occurrence.fire_at.isoformat(),
                    now.isoformat(),
                ),
            )
            if not rows:
                return False
            await db.executemany(
                "INSERT INTO schedule_deliveries (kind, period_key, target_kind, target_id,"
                " state, updated_at) VALUES (?, ?, ?, ?, 'planned', ?)",
                [
                    (
                        occurrence.kind,
                        occurrence.period_key,
                        target.kind.value,
                        target.id,
                        now.isoformat(),
                    )
                    for target in dict.fromkeys(targets)
                ],
            )
            return True

        return await self._run_write(work)

    async def occurrence_recorded(self, kind: str, period_key: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM schedule_occurrences WHERE kind = ? AND period_key = ?",
            (kind, period_key),
        )
        return row is not None

    async def open_occurrences(self) -> list[Occurrence]:
        rows = await self._all(
            "SELECT kind, period_key, fire_at, planned_at FROM schedule_occurrences"
            " WHERE state = 'planned' ORDER BY fire_at, kind"
        )
        return [
            Occurrence(kind, key, datetime.fromisoformat(at), datetime.fromisoformat(planned))
            for kind, key, at, planned in rows
        ]

    async def deliveries(self, kind: str, period_key: str) -> list[Delivery]:
        rows = await self._all(
            f"SELECT {_DELIVERY_COLUMNS} FROM schedule_deliveries"
            " WHERE kind = ? AND period_key = ? ORDER BY target_kind, target_id",
            (kind, period_key),
        )
        return [_delivery(row) for row in rows]

    async def claim_delivery(
        self, delivery: Delivery, now: datetime, owner: str | None = None
    ) -> int | None:
        # One statement, one commit: the attempt is on disk before the message leaves.
        rows = await self._write(
            "UPDATE schedule_deliveries SET state = 'sending', attempts = attempts + 1,"
            " updated_at = ?, owner = ? WHERE kind = ? AND period_key = ?"
            " AND target_kind = ? AND target_id = ? AND state = 'planned'"
            " RETURNING attempts",
            (
                now.isoformat(),
                owner,
                delivery.kind,
                delivery.period_key,
                delivery.target.kind.value,
                delivery.target.id,
            ),
        )
        found = next(iter(rows), None)
        return None if found is None else int(found[0])

    async def finish_delivery(
        self,
        delivery: Delivery,
        state: DeliveryState,
        now: datetime,
        *,
        channel: str | None = None,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        await self._write(
            "UPDATE schedule_deliveries SET state = ?, updated_at = ?,"
            " channel = coalesce(?, channel), last_error = ?, retry_at = ?"
            " WHERE kind = ? AND period_key = ? AND target_kind = ? AND target_id = ?",
            (
                state.value,
                now.isoformat(),
                channel,
                error,
                None if retry_at is None else retry_at.isoformat(),
                delivery.kind,
                delivery.period_key,
                delivery.target.kind.value,
                delivery.target.id,
            ),
        )

    async def close_occurrence(self, kind: str, period_key: str, now: datetime) -> bool:
        await self._write(
            "UPDATE schedule_occurrences SET state = 'done', done_at = ?"
            " WHERE kind = ? AND period_key = ? AND state = 'planned' AND NOT EXISTS ("
            "  SELECT 1 FROM schedule_deliveries d WHERE d.kind = ? AND d.period_key = ?"
            "  AND d.state IN ('planned', 'sending'))",
            (now.isoformat(), kind, period_key, kind, period_key),
        )
        row = await self._one(
            "SELECT state FROM schedule_occurrences WHERE kind = ? AND period_key = ?",
            (kind, period_key),
        )
        return row is not None and row[0] == "done"

    async def abandon_interrupted(
        self, now: datetime, owner_alive: Callable[[str], bool] | None = None
    ) -> int:
        rows = await self._all(
            "SELECT DISTINCT owner FROM schedule_deliveries WHERE state = 'sending'"
        )
        gone = [
            owner
            for (owner,) in rows
            if owner is None or owner_alive is None or not owner_alive(owner)
        ]
        count = 0
        for owner in gone:
            abandoned = await self._write(
                "UPDATE schedule_deliveries SET state = 'unknown', updated_at = ?,"
                " last_error = 'interrupted while sending'"
                " WHERE state = 'sending' AND owner IS NOT DISTINCT FROM ? RETURNING 1",
                (now.isoformat(), owner),
            )
            count += len(abandoned)
        return count

    async def bound_units(self) -> list[Unit]:
        rows = await self._all(
            f"SELECT {UNIT_COLUMNS} FROM units WHERE group_chat_id IS NOT NULL"
            " OR id IN (SELECT unit_id FROM zalo_groups) ORDER BY path"
        )
        return [unit_from(row) for row in rows]

    async def unit_leads(self) -> list[Member]:
        rows = await self._all(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE role IN ('lead', 'admin') ORDER BY id"
        )
        return [member_from(row) for row in rows]

    async def root_units(self) -> list[Unit]:
        rows = await self._all(f"SELECT {UNIT_COLUMNS} FROM units WHERE parent_id IS NULL")
        return [unit_from(row) for row in rows]

    async def daily_totals(
        self, unit_id: int, first: date, last: date
    ) -> dict[date, dict[str, int]]:
        # The subtree as a range of the lineage index ('/1/4/' to '/1/4/~'), then entries
        # by (unit_id, day): a commune's week reads only its own rows, however big the
        # province (a LIKE on a computed pattern would scan every unit).
        rows = await self._all(
            "WITH scope(low) AS (SELECT lineage FROM units WHERE id = ?)"
            " SELECT e.day, e.program, sum(e.count) FROM entries e"
            " WHERE e.unit_id IN (SELECT u.id FROM units u, scope"
            "  WHERE u.lineage >= scope.low AND u.lineage < scope.low || '~')"
            f" AND e.day BETWEEN ? AND ? AND e.{COUNTING} GROUP BY e.day, e.program",
            (unit_id, first.isoformat(), last.isoformat()),
        )
        totals: dict[date, dict[str, int]] = defaultdict(dict)
        for day, program, total in rows:
            totals[date.fromisoformat(day)][program] = int(total)
        return dict(totals)
