"""Fault suite: real Kannel away while the Friday reminders go out by SMS.

Eleven agents are behind pace; each must get exactly one reminder, whatever the order in
which the bot and Kannel start, and if Kannel stops and starts again mid-run. The
runner's waits are shortened; everything else is the product: real SQLite, the real
KannelSender through the daily cap, real bearerbox and smsbox.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.sms_sender import DailyCapSender, KannelSender, SmsNotices
from commands.context import Services
from scheduling.outbox import SmsOut
from scheduling.runner import ScheduleRunner
from scheduling.triggers import DeliveryPolicy, load_schedule
from storage.repository import QuotaRow, StaffRow
from storage.schedule_repository import DeliveryState
from tests.conftest import POST_OFFICE, Clock
from tests.support.kannel import KannelGateway, kannel_available
from tracker.models import Channel, Role, TargetKind

if not kannel_available():
    if os.environ.get("CI"):
        pytest.fail("Kannel is not installed but CI is set", pytrace=False)
    pytest.skip("Kannel is not installed: bash scripts/install-kannel.sh", allow_module_level=True)

FRIDAY_1600 = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)
AGENTS = [f"09140000{n:02d}" for n in range(1, 12)]
POLICY = DeliveryPolicy(attempts=2, backoff_seconds=0.2, concurrency=2, max_backoff_seconds=0.5)
NO_GET_URL = "http://127.0.0.1:9/unused?from=%p&text=%a"  # these tests send, never receive


@pytest.fixture
async def agents(services: Services) -> list[str]:
    """Eleven SMS-only agents with a November quota and nothing logged yet, beside the
    small organisation's three field staff (behind too): fourteen reminders by SMS."""
    rows = [StaffRow(n, POST_OFFICE, f"Đại lý {n}", phone, Role.AGENT) for n, phone in
            enumerate(AGENTS, 2)]  # fmt: skip
    await services.repo.import_staff(rows)
    quotas = [QuotaRow(n, TargetKind.MEMBER, phone, "TN", "2026-11", 30) for n, phone in
              enumerate(AGENTS, 2)]  # fmt: skip
    await services.repo.import_quotas(quotas, FRIDAY_1600)
    return sorted([*AGENTS, "0912000001", "0912000002", "0912000003"])


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[KannelGateway]:
    async with KannelGateway(get_url_template=NO_GET_URL, tmp_path=tmp_path) as gateway:
        yield gateway


@pytest.fixture
async def runner(services: Services, gw: KannelGateway) -> AsyncIterator[ScheduleRunner]:
    """The Friday reminders through real Kannel; its waiting retries stopped after."""
    kannel = KannelSender(
        gw.sendsms_url, gw.sendsms_user, gw.sendsms_password, attempts=2, backoff=0.05
    )
    sms = DailyCapSender(kannel, services.repo, services.clock, cap=5)
    config = replace(load_schedule(), delivery=POLICY)
    services.notifier.register(Channel.SMS, SmsNotices(sms))
    reminders = ScheduleRunner(services, config, telegram=None)
    reminders.sms = sms  # type: ignore[attr-defined]  # the test swaps the gateway below
    yield reminders
    await reminders.close()
    await kannel.aclose()


async def states(services: Services) -> dict[str, DeliveryState]:
    deliveries = await services.repo.deliveries("reminder", "2026-11-27")
    phones = {}
    for delivery in deliveries:
        member = await services.repo.member(delivery.target.id)
        phones[member.phone] = delivery.state
    return phones


async def all_sent(services: Services, within: float = 60.0) -> None:
    deadline = time.monotonic() + within  # waiting for the background retries, not timing
    while set((await states(services)).values()) != {DeliveryState.SENT}:
        assert time.monotonic() < deadline, [
            (delivery.target, delivery.state, delivery.attempts)
            for delivery in await services.repo.deliveries("reminder", "2026-11-27")
            if delivery.state is not DeliveryState.SENT
        ]
        await asyncio.sleep(0.1)
    while await services.repo.open_occurrences():
        assert time.monotonic() < deadline, "the firing was never closed"
        await asyncio.sleep(0.05)


def recipients(gw: KannelGateway) -> list[str]:
    return sorted("0" + message.to.removeprefix("84") for message in gw.mt_messages)


async def test_the_bot_started_before_kannel_sends_what_it_missed_once(
    services: Services, clock: Clock, agents: list[str], gw: KannelGateway,
    runner: ScheduleRunner,
) -> None:  # fmt: skip
    await gw.pause()  # Kannel is not up yet when the bot starts
    clock.now = FRIDAY_1600
    await runner.run_due()  # the catch-up run at start: every SMS refused a connection

    waiting = await states(services)
    assert sorted(waiting) == agents
    # Not failed: waiting for the next try (or trying again right now).
    assert set(waiting.values()) <= {DeliveryState.PLANNED, DeliveryState.SENDING}
    assert runner.given_up == 0
    assert await services.repo.open_occurrences() != []

    await gw.resume()
    await all_sent(services)
    await gw.sync_mt()
    assert recipients(gw) == agents  # each exactly once


class StopsKannelAfter:
    """The real sender; after its `after`-th SMS, Kannel is stopped (between two
    requests: none is in flight) and started again a second later."""

    def __init__(self, inner: SmsOut, gw: KannelGateway, after: int) -> None:
        self.inner, self.gw, self.after, self.sent = inner, gw, after, 0
        self.restarted: asyncio.Task[None] | None = None

    async def send(self, to: str, text: str) -> object:
        result = await self.inner.send(to, text)
        self.sent += 1
        if self.sent == self.after:
            await self.gw.pause()
            self.restarted = asyncio.create_task(self.resume_later())
        return result

    async def resume_later(self) -> None:
        await asyncio.sleep(1.0)
        await self.gw.resume()


async def test_kannel_stopped_and_started_again_mid_run_hands_over_each_once(
    services: Services, clock: Clock, agents: list[str], gw: KannelGateway,
    runner: ScheduleRunner,
) -> None:  # fmt: skip
    clock.now = FRIDAY_1600
    stopping = StopsKannelAfter(runner.sms, gw, after=4)  # type: ignore[attr-defined]
    runner.services.notifier.register(Channel.SMS, SmsNotices(stopping))
    runner.config = replace(runner.config, delivery=replace(POLICY, concurrency=1))
    runner._limit = asyncio.Semaphore(1)  # one at a time: the stop falls between two
    await runner.run_due()
    await all_sent(services)
    assert stopping.restarted is not None
    await stopping.restarted
    await gw.sync_mt()
    assert recipients(gw) == agents
    assert runner.given_up == 0


async def test_kannel_killed_mid_request_never_sends_twice(
    services: Services, clock: Clock, agents: list[str], gw: KannelGateway,
    runner: ScheduleRunner,
) -> None:  # fmt: skip
    """A request cut off inside Kannel has an unknown fate: marked so, not sent again."""
    clock.now = FRIDAY_1600

    async def restart_kannel_after_four() -> None:
        while len(gw.mt_messages) < 4:  # noqa: ASYNC110 - the sink records, nobody signals
            await asyncio.sleep(0.01)
        await gw.pause()
        await asyncio.sleep(1.0)
        await gw.resume()

    restart = asyncio.create_task(restart_kannel_after_four())
    await runner.run_due()
    await restart
    deadline = time.monotonic() + 60
    final = {DeliveryState.SENT, DeliveryState.UNKNOWN}
    while not set((await states(services)).values()) <= final:
        assert time.monotonic() < deadline, await states(services)
        await asyncio.sleep(0.1)
    await gw.sync_mt()
    got = recipients(gw)
    assert len(got) == len(set(got))  # nobody twice
    by_phone = await states(services)
    assert [p for p, state in by_phone.items() if state is DeliveryState.SENT] == [
        p for p in agents if p in got and by_phone[p] is DeliveryState.SENT
    ]
    assert {p for p, state in by_phone.items() if state is DeliveryState.SENT} <= set(got)


async def test_a_message_not_handed_over_by_the_deadline_is_failed_and_counted(
    services: Services, clock: Clock, agents: list[str], gw: KannelGateway,
    runner: ScheduleRunner,
) -> None:  # fmt: skip
    await gw.pause()
    clock.now = FRIDAY_1600
    await runner.run_due()
    assert DeliveryState.FAILED not in set((await states(services)).values())
    clock.now = datetime(2026, 11, 27, 16, 59, 59, 800000, tzinfo=UTC)  # 23:59:59.8 local
    # The retries waiting in the background wake, fail again, and find the day over.
    deadline = time.monotonic() + 30
    while set((await states(services)).values()) != {DeliveryState.FAILED}:
        assert time.monotonic() < deadline, await states(services)
        await asyncio.sleep(0.05)
    assert runner.given_up == len(agents)
    assert await services.repo.open_occurrences() == []
    assert gw.mt_messages == []
