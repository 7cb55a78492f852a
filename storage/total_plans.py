"""A unit's plans for participants in total, on either backend (one SQL for both)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from storage.store_base import Db, StoreBase, write_audit
from tracker.quotas import QuotaBook

UPSERT_TOTAL_PLAN = (
    "INSERT INTO total_plans (unit_id, program, period_key, value, updated_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (unit_id, program, period_key)"
    " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


async def upsert_total_plan(
    db: Db, unit_id: int, program: str, period_key: str, value: int, now: datetime
) -> None:
    await db.execute(UPSERT_TOTAL_PLAN, (unit_id, program, period_key, value, now.isoformat()))


class TotalPlanStore(StoreBase):
    async def change_total_plan(
        self,
        unit_id: int,
        label: str,
        program: str,
        period_key: str,
        value: int,
        actor_id: int,
        now: datetime,
    ) -> int | None:
        async def work(db: Db) -> int | None:
            rows = await db.execute_fetchall(
                "SELECT value FROM total_plans WHERE unit_id = ? AND program = ?"
                " AND period_key = ?",
                (unit_id, program, period_key),
            )
            found = next(iter(rows), None)
            before = None if found is None else int(found[0])
            await upsert_total_plan(db, unit_id, program, period_key, value, now)
            await write_audit(
                db,
                now,
                actor_id,
                unit_id,
                "total_plan",
                f"{label} · {program} {period_key}",
                None if before is None else str(before),
                str(value),
            )
            return before

        return await self._run_write(work)

    async def total_plan_books(self, unit_id: int) -> dict[str, QuotaBook]:
        books: dict[str, dict[str, int]] = defaultdict(dict)
        for program, period_key, value in await self._all(
            "SELECT program, period_key, value FROM total_plans WHERE unit_id = ?", (unit_id,)
        ):
            books[program][period_key] = int(value)
        return dict(books)

    async def total_plan_books_of(self, units: Sequence[int]) -> dict[int, dict[str, QuotaBook]]:
        # Read by key: a unit board wants its scope's and listed units' plans, not every
        # plan of a country.
        wanted = list(dict.fromkeys(units))
        if not wanted:
            return {}
        books: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for unit, program, period_key, value in await self._all(
            "SELECT unit_id, program, period_key, value FROM total_plans"
            f" WHERE unit_id IN ({', '.join('?' * len(wanted))})",
            wanted,
        ):
            books[int(unit)][program][period_key] = int(value)
        return {unit: dict(programs) for unit, programs in books.items()}
