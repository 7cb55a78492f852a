"""What the SMS channel needs from storage: rate limits, and nothing about strangers."""

from __future__ import annotations

from datetime import date
from typing import Protocol


class SmsRepository(Protocol):
    async def claim_refusal(self, number_hash: str, day: date) -> bool:
        """True the first time `number_hash` is refused on local `day` (then: answer it)."""
        ...

    async def claim_outbound(self, phone: str, day: date, cap: int) -> bool:
        """Count one pushed SMS to `phone` on `day`; False (nothing counted) at the cap."""
        ...

    async def release_outbound(self, phone: str, day: date) -> None:
        """Give back a claim whose SMS the gateway did not take."""
        ...

    async def outbound_count(self, phone: str, day: date) -> int: ...
