"""An update handled once across processes (channels.once), on both backends: the claim
row, a repeat, a claim left by a dead process taken over, a live one waited for."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

from channels.once import Handled, handle_once
from commands.context import Services
from scheduling.owner import LEASE, this_process
from scheduling.runner import ScheduleRunner
from scheduling.triggers import ScheduleConfig
from storage.schedule_repository import DeliveryState, Occurrence, Target
from tests.conftest import Clock
from tracker.models import TargetKind

OTHER_HOST = "bot-2.example:4242:777"


class Work:
    def __init__(self, reply: str | None = "ok", fail: bool = False) -> None:
        self.runs = 0
        self.reply, self.fail = reply, fail

    async def __call__(self) -> str | None:
        self.runs += 1
        await asyncio.sleep(0.05)  # long enough for a concurrent delivery to arrive
        if self.fail:
            raise RuntimeError("handler broke")
        return self.reply


async def test_a_repeat_does_nothing_and_gets_the_first_reply(services: Services) -> None:
    work = Work("Da ghi 2 TN")
    first, again = await asyncio.gather(
        handle_once(services, "sms:1", work), handle_once(services, "sms:1", work)
    )
    assert work.runs == 1
    assert {first.handled, again.handled} == {Handled.NOW, Handled.BEFORE}
    assert first.reply == again.reply == "Da ghi 2 TN"
    assert (await handle_once(services, "sms:2", work)).handled is Handled.NOW
    assert work.runs == 2


async def test_a_claim_left_by_a_dead_process_is_taken_over(services: Services) -> None:
    dead_here = f"{socket.gethostname()}:999999999:1"  # no such process on this host
    repo = services.repo
    assert (await repo.claim_update("tg:5", dead_here, services.clock())).owner == dead_here
    work = Work(None)
    once = await handle_once(services, "tg:5", work)
    assert (once.handled, work.runs) == (Handled.NOW, 1)
    claim = await repo.claim_update("tg:5", "anyone", services.clock())
    assert (claim.state.value, claim.owner) == ("done", this_process())


async def test_a_live_process_on_another_host_is_waited_for_until_its_lease_ends(
    services: Services, clock: Clock
) -> None:
    repo = services.repo
    await repo.process_seen(OTHER_HOST, clock.now, clock.now)
    await repo.claim_update("tg:6", OTHER_HOST, clock.now)
    work = Work()
    busy = await handle_once(services, "tg:6", work, wait=0.3)
    assert (busy.handled, work.runs) == (Handled.BUSY, 0)  # the channel delivers it again
    clock.now += LEASE + timedelta(seconds=1)  # no heartbeat since: that process is gone
    taken = await handle_once(services, "tg:6", work, wait=0.3)
    assert (taken.handled, work.runs) == (Handled.NOW, 1)


async def test_a_failed_handling_leaves_the_update_to_the_next_delivery(
    services: Services,
) -> None:
    broken = Work(fail=True)
    try:
        await handle_once(services, "tg:7", broken)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure was swallowed")
    work = Work("second time")
    once = await handle_once(services, "tg:7", work)
    assert (once.handled, once.reply, work.runs) == (Handled.NOW, "second time", 1)


async def test_old_claims_are_forgotten(services: Services, clock: Clock) -> None:
    repo = services.repo
    await handle_once(services, "tg:8", Work())
    clock.now += timedelta(days=3)
    await handle_once(services, "tg:9", Work())
    assert await repo.forget_updates(clock.now - timedelta(days=2)) == 1
    again = Work()
    assert (await handle_once(services, "tg:9", again)).handled is Handled.BEFORE
    assert again.runs == 0


async def test_a_send_cut_off_on_another_host_becomes_unknown_once_its_lease_ends(
    services: Services, clock: Clock
) -> None:
    """No duplicate and no silent loss across hosts: a survivor's next run settles it."""
    repo = services.repo
    lan = await repo.member_by_phone("0912000001")
    assert lan is not None
    occurrence = Occurrence("reminder", "2026-11-27", clock.now)
    await repo.plan_occurrence(occurrence, [Target(TargetKind.MEMBER, lan.id)], clock.now)
    [delivery] = await repo.deliveries("reminder", "2026-11-27")
    await repo.process_seen(OTHER_HOST, clock.now, clock.now)
    assert await repo.claim_delivery(delivery, clock.now, OTHER_HOST) == 1
    runner = ScheduleRunner(services, ScheduleConfig())
    assert await runner.recover() == 0  # alive on its host: its send is left alone
    clock.now += LEASE + timedelta(seconds=1)
    assert await runner.recover() == 1
    [settled] = await repo.deliveries("reminder", "2026-11-27")
    assert settled.state is DeliveryState.UNKNOWN  # never sent twice, and not left hanging
