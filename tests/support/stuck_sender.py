"""A second real process for the fault suite: the bot's scheduler sending the Friday
reminders through an SMS gateway that never answers, so every message stays in flight.

    python -m tests.support.stuck_sender DB_PATH

Prints `claimed N` once N messages are in flight, then waits until killed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from channels.sms_sender import FunctionSender, SendResult, SmsNotices
from commands.context import Services
from scheduling.runner import ScheduleRunner
from scheduling.triggers import load_schedule
from storage.sqlite import SQLiteRepository
from tracker.models import Channel
from tracker.rules import load_rules

FRIDAY_1600 = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)


async def main(path: Path) -> None:
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: FRIDAY_1600)
    in_flight = 0
    never = asyncio.Event()

    async def gateway_that_never_answers(to: str, text: str) -> SendResult:
        nonlocal in_flight
        in_flight += 1
        print(f"claimed {in_flight}", flush=True)
        await never.wait()
        raise AssertionError("unreachable")

    services.notifier.register(Channel.SMS, SmsNotices(FunctionSender(gateway_that_never_answers)))
    runner = ScheduleRunner(services, load_schedule(), telegram=None)
    await runner.recover()
    await runner.run_due()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
