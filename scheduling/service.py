"""The scheduler of `python bot.py`: APScheduler's asyncio scheduler in Vietnamese time.

Every job does the same thing, `ScheduleRunner.run_due`: plan what is due and not yet
recorded, send what is pending. So the Monday 08:00 trigger, the catch-up at start and
the quarter-hourly sweep (retries left by a restart, a firing missed while the machine
slept) cannot disagree, and three jobs firing together on 1 January plan each summary once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from telegram import Bot

from commands.context import Services
from scheduling.backups import nightly_backup
from scheduling.boards_ready import READY_AT, ready_current_boards
from scheduling.outbox import TelegramOut
from scheduling.runner import ScheduleRunner, activate, deactivate, render_in
from scheduling.triggers import DEFAULT_SCHEDULE_FILE, JobKind, ScheduleConfig, load_schedule
from settings import Settings
from tracker.periods import VIETNAM

logger = logging.getLogger(__name__)

SWEEP_MINUTES = 15


@asynccontextmanager
async def scheduled(runner: ScheduleRunner) -> AsyncIterator[AsyncIOScheduler]:
    """Run `runner` on its triggers until the block ends; catch up at once on entry."""
    await runner.recover()
    scheduler = AsyncIOScheduler(timezone=VIETNAM)
    for kind in JobKind:
        # A trigger that fires while the previous run still sends waits its turn (the
        # runner's lock); coalesce: a backlog of firings is one run, not several.
        scheduler.add_job(
            runner.run_due, runner.config.trigger(kind), id=kind.value, coalesce=True,
            max_instances=1, misfire_grace_time=int(runner.config.grace.total_seconds()) or 1,
        )  # fmt: skip
    scheduler.add_job(
        runner.run_due, IntervalTrigger(minutes=SWEEP_MINUTES, timezone=VIETNAM), id="sweep",
        coalesce=True, max_instances=1,
    )  # fmt: skip
    services = runner.services

    async def ready_boards() -> None:
        await ready_current_boards(services.repo, services.rules.program_codes, services.clock())

    scheduler.add_job(ready_boards, READY_AT, id="boards", coalesce=True, max_instances=1)
    backup = runner.config.backup
    if backup is not None:

        async def back_up() -> None:
            await nightly_backup(services.repo, backup, services.clock())

        scheduler.add_job(back_up, backup.trigger(), id="backup", coalesce=True, max_instances=1)
    scheduler.start()
    runner.scheduled = lambda: bool(scheduler.running)
    activate(runner)
    catch_up = asyncio.create_task(runner.run_due(), name="schedule catch-up")
    try:
        yield scheduler
    finally:
        deactivate(runner)
        runner.scheduled = lambda: False
        scheduler.shutdown(wait=False)
        catch_up.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await catch_up
        await runner.close()


@asynccontextmanager
async def run_schedules(
    services: Services,
    settings: Settings,
    bot: Bot | None,
    config: ScheduleConfig | None = None,
) -> AsyncIterator[ScheduleRunner]:
    """Summaries and reminders for as long as the block runs: group summaries on
    Telegram through `bot` (None: Telegram is off); messages for one person through the
    channels registered with `services.notifier`; `config` as checked at start (None:
    read from SCHEDULE_FILE now)."""
    path = Path(settings.schedule_file) if settings.schedule_file else DEFAULT_SCHEDULE_FILE
    config = config or load_schedule(path)
    # Charts are drawn in other processes (started on first use, by spawn: forking a
    # process that runs threads is unsafe), one core left to the bot itself.
    workers = max(1, (os.cpu_count() or 2) - 1)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    telegram = TelegramOut(bot) if bot else None
    runner = ScheduleRunner(services, config, telegram, render=render_in(pool))
    try:
        async with scheduled(runner):
            logger.info("scheduler running (%s)", path.name)
            yield runner
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
