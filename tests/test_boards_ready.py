"""The boards of a new day's periods are made just after midnight (scheduling/
boards_ready.py), so nobody's first view waits for them, and made ahead they answer as
boards made by a view do."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from commands.context import Services
from scheduling.boards_ready import ready_current_boards
from storage.repository import Repository
from tests.conftest import Clock
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
