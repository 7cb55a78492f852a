"""The one storage interface the commands use. SQLite fills it today, PostgreSQL later."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple, Protocol

from leaderboards.badges import EntryFact
from storage.board_view_repository import BoardViewRepository
from storage.choices_repository import ChoiceRepository
from storage.leads_repository import LeadRepository
from storage.notices_repository import NoticeRepository
from storage.participants_repository import ParticipantRepository
from storage.processes_repository import ProcessRepository
from storage.renewals_repository import RenewalRepository
from storage.schedule_repository import ScheduleRepository
from storage.screen_repository import ScreenRepository
from storage.sms_repository import SmsRepository
from storage.total_plans_repository import TotalPlanRepository
from storage.zalo_repository import ZaloRepository
from tracker.imports import QuotaRow as QuotaRow  # the rows a CSV import checked
from tracker.imports import StaffRow as StaffRow
from tracker.models import Entry, Member, NewEntry, Quota, TargetKind, Unit
from tracker.quotas import QuotaBook


class MemberPeriod(NamedTuple):
    """What one member's progress over one period is measured from."""

    achieved: dict[str, int]
    """Per program, the period's total of counting entries."""
    books: dict[str, QuotaBook]
    """Per program, the member's quota book."""


class RecordedEntry(NamedTuple):
    entry: Entry
    created: bool
    """False when the entry's source key was seen before: this is the first one."""
    standing: MemberPeriod
    """The member's period right after the entry, read in the same transaction."""


class ImportRejected(Exception):
    """A file refers to something unknown; `problems` are (line, message key, detail)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class CoreRepository(Protocol):
    async def close(self) -> None: ...

    # Units and members
    async def unit(self, unit_id: int) -> Unit: ...
    async def unit_by_path(self, path: str) -> Unit | None: ...
    async def member(self, member_id: int) -> Member: ...
    async def member_by_phone(self, phone: str) -> Member | None: ...
    async def member_by_telegram(self, telegram_user_id: int) -> Member | None: ...
    async def link_telegram(self, member_id: int, telegram_user_id: int) -> Member: ...
    async def set_language(self, member_id: int, language: str) -> None: ...
    async def count_members(self) -> int: ...

    # Operator imports: all rows or none
    async def import_staff(self, rows: list[StaffRow]) -> int: ...
    async def import_quotas(self, rows: list[QuotaRow], now: datetime) -> int: ...

    # Quotas
    async def set_quota(self, quota: Quota, now: datetime) -> None: ...
    async def quota_books(self, kind: TargetKind, target_id: int) -> dict[str, QuotaBook]: ...

    # Entries
    async def add_entry(self, entry: NewEntry) -> tuple[Entry, bool]: ...
    async def record_entry(self, entry: NewEntry, period_key: str) -> RecordedEntry: ...
    async def undo_last_entry(
        self, member_id: int, day: date, now: datetime, source_key: str | None
    ) -> tuple[Entry | None, bool]:
        """Void (and audit) the member's last counting entry of local `day` while it is
        only reported; a confirmed one comes back unchanged, in its confirmed state."""
        ...

    async def achieved(self, member_id: int, first: date, last: date) -> dict[str, int]: ...
    async def period_achieved(self, member_id: int, period_key: str) -> dict[str, int]: ...
    async def member_period(self, member_id: int, period_key: str) -> MemberPeriod: ...
    async def set_own_entry_term(
        self,
        entry_id: int,
        member_id: int,
        term_months: int,
        day: date,
        programs: Collection[str] | None = None,
    ) -> Entry | None: ...

    async def backup(self, target: Path) -> None: ...


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    """What one member (or unit) achieved of one program in one period."""

    key: int
    program: str
    achieved: int
    last_at: datetime | None


class PersonPeriod(NamedTuple):
    """A member now in a subtree, with their total and quotas for one period's board."""

    member_id: int
    name: str
    unit_id: int
    role: str
    achieved: int
    last_at: str | None
    """ISO instant of their latest counting entry in the period."""
    book: str | None
    """Their quotas of the board's programs: `TN 2026 120,TN 2026-11 12` (see parse_book)."""


class BoardRepository(Protocol):
    """Bulk reads over a unit subtree for leaderboards, emulation and badges."""

    async def subtree_units(self, unit_id: int) -> list[Unit]: ...
    async def child_units(self, unit_id: int) -> list[Unit]: ...
    async def people_in_period(
        self, unit_id: int, period_key: str, programs: tuple[str, ...]
    ) -> list[PersonPeriod]: ...
    async def subtree_members(
        self, unit_id: int, *, after: int = 0, limit: int | None = None
    ) -> list[Member]: ...
    async def member_totals(
        self, unit_id: int, period_key: str, *, ids: tuple[int, int] | None = None
    ) -> list[PeriodTotal]: ...
    async def unit_totals(self, unit_id: int, period_key: str) -> list[PeriodTotal]: ...
    async def subtree_quota_books(
        self, kind: TargetKind, unit_id: int, *, ids: tuple[int, int] | None = None
    ) -> dict[int, dict[str, QuotaBook]]: ...
    async def member_entries(self, member_id: int, first: date, last: date) -> list[EntryFact]: ...
    async def bind_group(
        self, unit_id: int, chat_id: int, by: tuple[int, datetime] | None = None
    ) -> None: ...
    async def nearest_group_chat(self, unit_id: int) -> int | None: ...
    async def term_totals(
        self, unit_id: int, first: date, last: date
    ) -> list[tuple[int, int, str, int | None, int]]: ...
    async def claim_celebration(
        self, member_id: int, program: str, month_key: str, now: datetime
    ) -> bool: ...
    async def record_initiative(
        self, member_id: int, year: int, note: str, by: int, now: datetime
    ) -> None: ...
    async def has_initiative(self, member_id: int, year: int) -> bool: ...
    async def members_with_initiative(self, unit_id: int, year: int) -> set[int]: ...


class Repository(
    CoreRepository,
    BoardRepository,
    BoardViewRepository,
    SmsRepository,
    LeadRepository,
    ScheduleRepository,
    ParticipantRepository,
    ScreenRepository,
    ChoiceRepository,
    NoticeRepository,
    RenewalRepository,
    ZaloRepository,
    TotalPlanRepository,
    ProcessRepository,
    Protocol,
):
    """Everything the commands may ask of storage."""
