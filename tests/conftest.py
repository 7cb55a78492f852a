"""Shared fixtures: a real database per test (a SQLite file, and a PostgreSQL database
on a server the session starts), a fixed clock, a small organisation.

Every test that uses `repo` (or `services`, `bot`) runs once per backend: `backend` is
parametrized over sqlite and postgres. `BACKENDS=sqlite` runs SQLite only.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from channels.telegram import TelegramApp, build_application, start_telegram, stop_telegram
from commands.context import Services
from settings import Settings
from storage.postgres import PostgresRepository, migrate
from storage.repository import QuotaRow, Repository, StaffRow
from storage.sqlite import SQLiteRepository
from tests.support.botapi import BotApiServer
from tests.support.db import forget, register
from tests.support.postgres import TEMPLATE, PostgresServer
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


BACKENDS = tuple(os.environ.get("BACKENDS", "sqlite,postgres").split(","))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Both backends, unless the test names its own (`parametrize("backend", ...)`)."""
    named = any("backend" in m.args[0] for m in metafunc.definition.iter_markers("parametrize"))
    if "backend" in metafunc.fixturenames and not named:
        metafunc.parametrize("backend", BACKENDS, scope="session")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server for the session, with the schema migrated into a template database."""
    with PostgresServer() as server:
        url = server.create_database(TEMPLATE)

        async def migrate_template() -> None:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as db:
                await migrate(db)

        # Its own loop on its own thread: a test's loop may be running already.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, migrate_template()).result()
        yield server


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database(TEMPLATE)
    yield url
    server.drop_database(url)


class Databases:
    """New empty (migrated on PostgreSQL) databases of the test's backend, by URL."""

    def __init__(self, backend: str, folder: Path, server: PostgresServer | None) -> None:
        self.backend = backend
        self._folder = folder
        self._server = server
        self._made: list[str] = []

    def new(self) -> str:
        if self._server is not None:
            url = self._server.new_database(TEMPLATE)
        else:
            url = f"sqlite:///{self._folder / f'db{len(self._made)}.db'}"
        self._made.append(url)
        return url

    def drop(self, url: str) -> None:
        if self._server is not None:
            self._server.drop_database(url)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


@pytest.fixture
def databases(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Databases:
    server = request.getfixturevalue("postgres_server") if backend == "postgres" else None
    return Databases(backend, tmp_path, server)


@pytest.fixture
async def repo(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Repository]:
    repository: SQLiteRepository | PostgresRepository
    if backend == "postgres":
        url = request.getfixturevalue("postgres_url")
        repository = await PostgresRepository.open(url, max_size=4)
    else:
        url = f"sqlite:///{tmp_path / 'quota.db'}"
        repository = await SQLiteRepository.open(tmp_path / "quota.db")
    register(tmp_path, url)
    yield repository
    await repository.close()
    forget(tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(repo: Repository, clock: Clock) -> Services:
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
