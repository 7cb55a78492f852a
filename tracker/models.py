"""The things the product talks about: programs, units, members, entries, quotas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    AGENT = "agent"
    LEAD = "lead"
    ADMIN = "admin"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"
    CONSOLE = "console"
    ZALO = "zalo"
    IMPORT = "import"


class EntryState(StrEnum):
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    VOIDED = "voided"


COUNTING_STATES = (EntryState.REPORTED, EntryState.CONFIRMED)

UNIT_PATH_SEPARATOR = " / "


# Every payment term the product knows: monthly to yearly, or years paid ahead (<= 60).
ANY_PAYMENT_TERM = (1, 3, 6, 12, 24, 36, 48, 60)


@dataclass(frozen=True)
class Program:
    code: str
    name_vi: str
    name_en: str
    max_quota: int = 1_000_000
    """The largest quota a lead may set (`config/rules.toml`): a typo's extra zeros stop."""
    payment_terms: tuple[int, ...] = ANY_PAYMENT_TERM
    """Months that may be paid at once (phương thức đóng), shortest first
    (config/rules.toml)."""

    def name(self, language: str) -> str:
        return self.name_vi if language == "vi" else self.name_en


@dataclass(frozen=True)
class Unit:
    id: int
    parent_id: int | None
    path: str
    """Full name, parts joined by ' / ': `BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành`."""
    group_chat_id: int | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(UNIT_PATH_SEPARATOR, 1)[-1]


@dataclass(frozen=True)
class Member:
    id: int
    unit_id: int
    name: str
    phone: str
    role: Role
    language: str = "vi"
    telegram_user_id: int | None = None

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD, Role.ADMIN)


@dataclass(frozen=True)
class Entry:
    id: int
    member_id: int
    unit_id: int
    program: str
    day: date
    count: int
    channel: Channel
    state: EntryState
    created_at: datetime


@dataclass(frozen=True)
class NewEntry:
    """An enrollment as logged, before storage gives it an id."""

    member_id: int
    unit_id: int
    program: str
    day: date
    count: int
    channel: Channel
    created_at: datetime
    source_key: str | None = None
    """The channel's message id: the same message delivered twice stores one entry."""


class TargetKind(StrEnum):
    MEMBER = "member"
    UNIT = "unit"


class PlanKind(StrEnum):
    """What a plan counts: enrolments logged in the period (the quotas every board
    measures), or a unit's participants in total (số người tham gia), measured against
    its participant count on the period's last day."""

    ENROLMENTS = "enrolments"
    TOTAL = "total"


@dataclass(frozen=True)
class Quota:
    target_kind: TargetKind
    target_id: int
    program: str
    period_key: str
    value: int
