"""The boards of a new day's periods are made just after midnight (scheduling/
boards_ready.py), so nobody's first view waits for them, and made ahead they answer as
boards made by a view do."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import psycopg
import pytest

from commands.context import Services
from scheduling.boards_ready import ready_current_boards
from storage.repository import Repository
from tests.conftest import Clock
from tests.support.db import rows
from tests.support.members import say
from tracker.periods import Period, PeriodKind


async def test_the_night_job_makes_each_period_once_and_boards_stay_current(
    services: Services, clock: Clock
) -> None:
    await say(services, "0912000001", "TN 6", key="before")
    programs = services.rules.program_codes
    made = await ready_current_boards(services.repo, programs, clock.now)
    assert [period.key for period in made] == ["2026-W48", "2026-11", "2026-Q4", "2026"]
    # Kept: a second run (another process, or tomorrow within the same month) makes none.
    assert await ready_current_boards(services.repo, programs, clock.now) == []

    await say(services, "0912000002", "TN 3", key="after")
    lines = (await say(services, "0912000002", "/bxh")).text.splitlines()
    assert lines[1] == "🥇 1. Nguyễn Thị Lan — 6/30 (20,00%)"
    assert lines[2] == "👉 2. Phạm Văn Nam — 3/30 (10,00%)"
    week = (await say(services, "0912000002", "/bxh tuan")).text.splitlines()
    assert week[1].startswith("🥇 1. Nguyễn Thị Lan — 6/")


async def test_an_empty_database_has_nothing_to_make(repo: Repository, clock: Clock) -> None:
    assert await ready_current_boards(repo, ("TN", "YT"), clock.now) == []


class MonthFails:
    """The real repository, whose month board cannot be made (a full disk, a lost server)."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repo, name)

    async def ready_boards(self, period: Period, programs: tuple[str, ...]) -> bool:
        if period.kind is PeriodKind.MONTH:
            raise OSError("disk full")
        return await self.repo.ready_boards(period, programs)


async def test_one_period_failing_leaves_the_others_made_and_is_logged(
    services: Services, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    failing: Any = MonthFails(services.repo)
    with caplog.at_level(logging.ERROR, logger="scheduling.boards_ready"):
        made = await ready_current_boards(failing, services.rules.program_codes, clock.now)
    assert [period.key for period in made] == ["2026-W48", "2026-Q4", "2026"]
    assert "could not make the boards of 2026-11 ahead" in caplog.text
    # The month is made by its first view, as before the job existed.
    lines = (await say(services, "0912000001", "/bxh")).text.splitlines()
    assert lines[0].startswith("🏆 Xếp hạng tháng 11/2026")
    assert await ready_current_boards(services.repo, services.rules.program_codes, clock.now) == []


@pytest.fixture
def postgres_url(postgres_url: str) -> str:
    """Commits wait for the WAL flush, as in production (the test server's do not): the
    catch-up's own commit does not, and the vacuum after it must flush it first."""
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        name = postgres_url.rsplit("/", 1)[1]
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
    return postgres_url


FILLED = ("board_rows", "board_lineage_sums", "period_targets", "unit_period_totals")


@pytest.mark.parametrize("backend", ["postgres"])
async def test_boards_made_in_bulk_are_vacuumed_at_once(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    """Until a vacuum marks their pages all-visible, every index-only scan of a new
    board visits the table as well (a country's boards ran 2-3x slower until
    autovacuum came by); the catch-up vacuums what it filled."""
    for table in FILLED:  # nobody else does it during the test
        rows(tmp_path, f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
    await say(services, "0912000001", "TN 6", key="a")
    await ready_current_boards(services.repo, services.rules.program_codes, clock.now)
    for table in FILLED:
        [(pages, all_visible)] = rows(
            tmp_path, "SELECT relpages, relallvisible FROM pg_class WHERE relname = ?", (table,)
        )
        assert pages > 0 and all_visible == pages, table
