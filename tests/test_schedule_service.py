"""The APScheduler wiring: every job on its Vietnamese-time trigger, a catch-up at start,
the runner reachable by /tonghop while it runs and not after."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from commands.context import Services
from scheduling.runner import ScheduleRunner, active_runner
from scheduling.service import run_schedules, scheduled
from scheduling.triggers import JobKind, load_schedule, next_fire
from settings import Settings
from tests.conftest import Clock
from tracker.periods import VIETNAM


async def test_jobs_fire_on_the_contract_triggers_and_catch_up_at_start(
    services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)  # Friday 16:00:10
    runner = ScheduleRunner(services, load_schedule())  # Telegram and SMS both off
    assert not runner.scheduled()
    async with scheduled(runner) as scheduler:
        assert active_runner() is runner
        assert runner.scheduled()  # what /healthz reports as "scheduler"
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {
            "weekly",
            "monthly",
            "quarterly",
            "reminder",
            "due_reminder",
            "sweep",
            "boards",
        }
        # The scheduler runs on the real clock: its next runs are the triggers' next fires.
        real_now = datetime.now(VIETNAM)
        for kind in JobKind:
            fire = jobs[kind.value].next_run_time
            assert fire.utcoffset().total_seconds() == 7 * 3600
            assert fire == next_fire(runner.config, kind, real_now)
        # Boards of the new day's periods are made a minute after local midnight.
        boards = jobs["boards"].next_run_time
        assert (boards.hour, boards.minute, boards.utcoffset().total_seconds()) == (0, 1, 25200)
        await runner.run_due()  # the catch-up's turn comes after it
    assert active_runner() is None
    # Nobody reachable (no Telegram, no SMS): the reminder is recorded with no messages.
    assert await services.repo.occurrence_recorded("reminder", "2026-11-27")
    assert await services.repo.deliveries("reminder", "2026-11-27") == []
    # Summaries are left unrecorded while Telegram is off, to go out once it is back.
    assert not await services.repo.occurrence_recorded("weekly", "2026-W47")


async def test_run_schedules_reads_the_configured_schedule_file(
    services: Services, tmp_path: Path
) -> None:
    schedule = tmp_path / "schedule.toml"
    schedule.write_text('[weekly]\nday_of_week = "tue"\nhour = 7\n', encoding="utf-8")
    settings = Settings(schedule_file=str(schedule))
    async with run_schedules(services, settings, bot=None) as runner:
        assert runner.config.cron[JobKind.WEEKLY] == {"day_of_week": "tue", "hour": 7}
        assert runner.telegram is None and runner.services.notifier.channels == ()
        assert active_runner() is runner
    assert active_runner() is None
