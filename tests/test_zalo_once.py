"""Zalo's webhook claims each event once across processes (channels.once), on both
backends: the rules Telegram updates and SMS follow. The two-process test
(tests/test_two_processes.py) shows the same with two real `python bot.py`."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from pathlib import Path

from commands.context import Services
from scheduling.owner import LEASE, this_process
from tests.conftest import NOW, Clock
from tests.support.db import rows
from tests.support.zalo import running_zalo
from tests.test_zalo import LAN, link

OTHER_HOST = "bot-2.example:4242:777"
LOGGED = (
    "✅ Đã ghi 3 người tham gia BHXH tự nguyện ngày 23/11/2026.\n"
    "Lũy kế tháng 11/2026: BHXH tự nguyện: 3/10 (30,00%) · chậm 5 người so với tiến độ"
)


async def test_an_event_delivered_twice_at_once_is_handled_and_answered_once(
    services: Services, tmp_path: Path
) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services, webhook=True) as zalo:
        update = zalo.server.text_update(LAN, "TN 3", message_id="m-twice")
        statuses = await asyncio.gather(zalo.server.deliver(update), zalo.server.deliver(update))
        assert statuses == [200, 200]  # the second waited for the first to finish
        assert zalo.server.texts_to(LAN) == [LOGGED]
    assert rows(tmp_path, "SELECT count, source_key FROM entries") == [(3, "zalo:m-twice")]
    claim = await services.repo.claim_update("zalo:m-twice", "anyone", NOW)
    assert (claim.state.value, claim.owner) == ("done", this_process())


async def test_a_dead_owners_claim_is_taken_over_and_a_live_ones_answered_busy(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    await link(services, "0912000001", LAN)
    repo = services.repo
    dead_here = f"{socket.gethostname()}:999999999:1"  # no such process on this host
    await repo.process_seen(OTHER_HOST, clock.now, clock.now)
    await repo.claim_update("zalo:m-dead", dead_here, clock.now)
    await repo.claim_update("zalo:m-live", OTHER_HOST, clock.now)
    async with running_zalo(services, webhook=True) as zalo:
        # Killed mid-event: it never answered, Zalo delivers again, this process takes over.
        taken = zalo.server.text_update(LAN, "TN 3", message_id="m-dead")
        assert await zalo.server.deliver(taken) == 200
        assert zalo.server.texts_to(LAN) == [LOGGED]
        # Another host still working on it (its heartbeat is fresh): wait, then "busy".
        busy = zalo.server.text_update(LAN, "YT 1", message_id="m-live")
        assert await zalo.server.deliver(busy) == 503
        assert zalo.server.texts_to(LAN) == [LOGGED]
        assert rows(tmp_path, "SELECT source_key FROM entries") == [("zalo:m-dead",)]
        clock.now += LEASE + timedelta(seconds=1)  # no heartbeat since: that host is gone
        assert await zalo.server.deliver(busy) == 200
        assert len(zalo.server.texts_to(LAN)) == 2
    entries = rows(tmp_path, "SELECT source_key, program, count FROM entries ORDER BY id")
    assert entries == [("zalo:m-dead", "TN", 3), ("zalo:m-live", "YT", 1)]
