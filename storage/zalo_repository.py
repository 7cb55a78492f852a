"""What the Zalo channel needs from storage: links, link codes, numbered choices, media
links, Zalo groups, and the channel each member used last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tracker.models import Member


@dataclass(frozen=True)
class LinkCode:
    """A live one-time code for `phone` (only its hash), claimed by `zalo_user_id`."""

    phone: str
    code_hash: str
    salt: str
    expires_at: datetime
    issued_by: int | None
    zalo_user_id: str | None


@dataclass(frozen=True)
class MediaFile:
    filename: str
    content: bytes


class ZaloRepository(Protocol):
    async def member_by_zalo(self, zalo_user_id: str) -> Member | None: ...
    async def zalo_user_of(self, member_id: int) -> str | None: ...
    async def link_zalo(self, member_id: int, zalo_user_id: str, phone: str, now: datetime) -> bool:
        """Link and spend `phone`'s code in one go; False if the member has another account."""
        ...

    async def unlink_zalo(self, member_id: int, actor_id: int, now: datetime) -> bool:
        """Drop the member's Zalo link (and its numbered list), audited as `actor_id`'s;
        False when there was none."""
        ...

    async def store_link_code(self, code: LinkCode, now: datetime) -> None:
        """The phone's one live code (a new one replaces the old); audited when a lead
        issued it."""
        ...

    async def link_code(self, phone: str) -> LinkCode | None: ...
    async def link_code_claimed_by(self, zalo_user_id: str) -> LinkCode | None: ...
    async def claim_link_code(self, phone: str, zalo_user_id: str) -> None: ...
    async def link_blocked_until(self, phone: str, now: datetime) -> datetime | None: ...
    async def count_wrong_code(
        self, phone: str, now: datetime, limit: int, block: timedelta
    ) -> datetime | None:
        """Count a wrong code; at `limit` the phone is blocked (its code deleted) until the
        returned instant."""
        ...

    async def offer_numbered(self, member_id: int, commands: list[str], now: datetime) -> None:
        """Buttons listed by number on Zalo (a new list replaces the old)."""
        ...

    async def take_numbered(
        self, member_id: int, number: int, source_key: str, since: datetime
    ) -> str | None:
        """The command behind `number` of the list offered after `since`, spent by
        `source_key` (a repeat of that same message gets the same command)."""
        ...

    async def put_media(
        self, media_id: str, file: MediaFile, expires_at: datetime, *, single_use: bool
    ) -> None: ...
    async def take_media(self, media_id: str, now: datetime) -> MediaFile | None: ...
    async def bind_zalo_group(
        self, unit_id: int, chat_id: str, by: tuple[int, datetime]
    ) -> None: ...
    async def zalo_group(self, unit_id: int) -> str | None:
        """The Zalo group bound to this very unit (not an ancestor's)."""
        ...

    async def nearest_zalo_group(self, unit_id: int) -> str | None: ...
