"""Shared fixtures: a real SQLite file per test, a fixed clock, a small organisation."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from channels.telegram import TelegramApp, build_application, start_telegram, stop_telegram
from commands.context import Services
from settings import Settings
from storage.repository import QuotaRow, StaffRow
from storage.sqlite import SQLiteRepository
from tests.support.botapi import BotApiServer
from tracker.models import Role, TargetKind
from tracker.rules import load_rules

# `HYPOTHESIS_PROFILE=nightly`: the long run of the fuzz suites (their example counts are in
# tests/support/fuzz.py); no deadline, as a loaded machine makes any example slow.
settings.register_profile("nightly", deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE") == "nightly":
    settings.load_profile("nightly")

# python-telegram-bot 22 warns on RetryAfter unless it may use timedelta; warnings fail tests.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Monday 23 November 2026, 10:00 in Vietnam (03:00 UTC).
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

COMMUNE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"
POST_OFFICE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Bưu điện Hạc Thành"
OFFICE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành"

STAFF = [
    StaffRow(2, COMMUNE, "Nguyễn Thị Lan", "0912000001", Role.OFFICER),
    StaffRow(3, COMMUNE, "Phạm Văn Nam", "0912000002", Role.OFFICER),
    StaffRow(4, POST_OFFICE, "Vũ Thị Hoa", "0912000003", Role.AGENT),
    StaffRow(5, OFFICE, "Trần Minh Đức", "0913000001", Role.LEAD),
]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SQLiteRepository]:
    repository = await SQLiteRepository.open(tmp_path / "quota.db")
    yield repository
    await repository.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(repo: SQLiteRepository, clock: Clock) -> Services:
    """The small organisation above, with yearly quotas TN 120 and YT 240 for field staff."""
    await repo.import_staff(STAFF)
    quotas = [
        QuotaRow(0, TargetKind.MEMBER, row.phone, program, "2026", value)
        for row in STAFF
        if row.role is not Role.LEAD
        for program, value in (("TN", 120), ("YT", 240))
    ]
    await repo.import_quotas(quotas, NOW)
    return Services(repo=repo, rules=load_rules(), clock=clock)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as running:
        yield running


@pytest.fixture
async def bot(server: BotApiServer, services: Services) -> AsyncIterator[TelegramApp]:
    base = server.base_url.removesuffix("/bot")
    settings = Settings(telegram_bot_token=server.token, telegram_api_base_url=base)
    application = build_application(services, settings)
    await start_telegram(application, polling=True)
    yield application
    await stop_telegram(application)
