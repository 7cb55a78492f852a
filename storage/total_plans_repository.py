"""What a unit's plan for participants in total asks of storage (issue 14)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tracker.quotas import QuotaBook


class TotalPlanRepository(Protocol):
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
        """Set the unit's plan for participants in total; audited. Returns the old value."""
        ...

    async def total_plan_books(self, unit_id: int) -> dict[str, QuotaBook]:
        """The unit's own total plans: program -> period key -> participants."""
        ...

    async def total_plan_books_of(self, units: Sequence[int]) -> dict[int, dict[str, QuotaBook]]:
        """The total plans of `units`: unit -> program -> period key -> participants."""
        ...
