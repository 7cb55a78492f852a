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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from telegram import Bot

from commands.context import Services
from scheduling.outbox import SmsOut, TelegramOut
from scheduling.runner import ScheduleRunner, activate, deactivate
from scheduling.triggers import DEFAULT_SCHEDULE_FILE, JobKind, load_schedule
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
    scheduler.start()
    activate(runner)
    catch_up = asyncio.create_task(runner.run_due(), name="schedule catch-up")
    try:
        yield scheduler
    finally:
        deactivate(runner)
        scheduler.shutdown(wait=False)
        catch_up.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await catch_up


@asynccontextmanager
async def run_schedules(
    services: Services, settings: Settings, bot: Bot | None
) -> AsyncIterator[ScheduleRunner]:
    """Summaries and reminders for as long as the block runs: Telegram through `bot`
    (None: Telegram is off), SMS through the configured gateway, if any."""
    from channels.sms_sender import open_sms_sender

    path = Path(settings.schedule_file) if settings.schedule_file else DEFAULT_SCHEDULE_FILE
    config = load_schedule(path)
    async with open_sms_sender(settings, services.repo, services.clock) as sms_sender:
        sms: SmsOut | None = sms_sender
        runner = ScheduleRunner(services, config, TelegramOut(bot) if bot else None, sms)
        async with scheduled(runner):
            logger.info("scheduler running (%s)", path.name)
            yield runner
