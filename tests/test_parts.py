"""The process's parts (channels.parts, channels.process): each fails alone.

The process is `process_app`, the app `python bot.py` serves, on a real SQLite file; its
Telegram is the real python-telegram-bot stack against the local Bot API server, which
here starts late or refuses setMyCommands for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from admin.config import Config, load_config
from channels.parts import Part, Parts, PartState, RetryPolicy
from channels.process import process_app
from settings import Settings
from storage.sqlite import SQLiteRepository
from tests.conftest import STAFF, Clock
from tests.support.botapi import DEFAULT_TOKEN, BotApiServer
from tests.support.net import free_port, serve_asgi
from tests.support.updates import text_update, user

SECRET = "parts-secret"
FAST = RetryPolicy(first_wait=0.1, max_wait=0.4, first_try=2.0)
LAN_SMS = {"from": "84912000001", "to": "8088", "secret": SECRET}
STRANGER = user(7002, "Khách")


async def with_staff(path: Path) -> None:
    repo = await SQLiteRepository.open(path)
    await repo.import_staff(STAFF)
    await repo.close()


def config_for(tmp_path: Path, telegram_port: int) -> Config:
    return load_config(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'quota.db'}",
            telegram_bot_token=DEFAULT_TOKEN,
            telegram_api_base_url=f"http://127.0.0.1:{telegram_port}",
            sms_inbound_secret=SECRET,
        )
    )


async def eventually(check: Callable[[], object], within: float = 20.0) -> None:
    """Wait for a background retry to catch up (waiting, not timing)."""
    deadline = time.monotonic() + within
    while not await check():  # type: ignore[misc]
        assert time.monotonic() < deadline, "the part never came up"
        await asyncio.sleep(0.05)


async def test_telegram_down_at_start_then_up_sms_answered_throughout(
    tmp_path: Path, clock: Clock
) -> None:
    await with_staff(tmp_path / "quota.db")
    port = free_port()  # nothing listens there yet: the Bot API is unreachable
    app = process_app(config_for(tmp_path, port), clock, FAST)
    async with (
        contextlib.AsyncExitStack() as late,  # the Bot API server, closed after the bot
        serve_asgi(app) as base,
        httpx.AsyncClient(base_url=base) as http,
    ):
        health = await http.get("/healthz")
        assert health.status_code == 200
        assert {key: health.json()[key] for key in ("status", "parts")} == {
            "status": "degraded",
            "parts": {
                "database": "up",
                "process": "up",
                "screens": "up",
                "scheduler": "up",
                "telegram": "retrying",
            },
        }
        reply = await http.get("/sms/inbound", params={**LAN_SMS, "text": "TN 2", "id": "p1"})
        assert reply.text.startswith("Da ghi 2 TN ngay 23/11/2026.")

        api = await late.enter_async_context(BotApiServer(port=port))

        async def telegram_up() -> bool:
            return (await http.get("/healthz")).json()["parts"]["telegram"] == "up"

        await eventually(telegram_up)
        since = api.mark()
        api.push_update(text_update(STRANGER, "/start"))
        answer = await api.wait_for("sendMessage", since=since)
        assert "chia sẻ số điện thoại" in answer.params["text"]
        assert api.my_commands(None, "vi")  # the menus were registered once it was back
        reply = await http.get("/sms/inbound", params={**LAN_SMS, "text": "TD", "id": "p2"})
        assert reply.text == "Tien do Thang 11:\nTN 2 (chua co chi tieu)\nYT 0 (chua co chi tieu)"
        assert (await http.get("/healthz")).json()["status"] == "ok"


async def test_a_404_on_set_my_commands_is_retried_not_fatal(tmp_path: Path, clock: Clock) -> None:
    await with_staff(tmp_path / "quota.db")
    async with BotApiServer() as api:
        port = int(api.base_url.split(":")[2].split("/")[0])
        api.fail_next("setMyCommands", 404, count=2, description="Not Found")
        app = process_app(config_for(tmp_path, port), clock, FAST)
        async with serve_asgi(app) as base, httpx.AsyncClient(base_url=base) as http:
            reply = await http.get("/sms/inbound", params={**LAN_SMS, "text": "HD", "id": "h"})
            assert reply.status_code == 200 and reply.text

            async def telegram_up() -> bool:
                return (await http.get("/healthz")).json()["parts"]["telegram"] == "up"

            await eventually(telegram_up)
            assert app.state.parts.attempts["telegram"] == 3
            refused = [call for call in api.calls_of("setMyCommands") if call.error_code]
            assert len(refused) == 2


def opened(log: list[str], name: str, fail: bool = False) -> Part:
    @asynccontextmanager
    async def part() -> AsyncIterator[None]:
        if fail:
            raise OSError(f"{name} cannot start")
        log.append(f"open {name}")
        try:
            yield
        finally:
            log.append(f"close {name}")

    return Part(name, part)


async def test_a_part_that_cannot_start_fails_alone_and_the_rest_close_in_reverse() -> None:
    log: list[str] = []
    parts = Parts(FAST)
    for part in (opened(log, "database"), opened(log, "sms", fail=True), opened(log, "jobs")):
        parts.add(part)
    async with parts.running():
        serving, states = await parts.report()
        assert serving
        assert states == {"database": "up", "sms": "failed", "jobs": "up"}
    assert log == ["open database", "open jobs", "close jobs", "close database"]
    assert parts.state("database") is PartState.STOPPED


async def test_a_required_part_that_cannot_start_stops_the_start() -> None:
    log: list[str] = []
    parts = Parts(FAST)
    parts.add(Part("database", opened(log, "database", fail=True).open, required=True))
    parts.add(opened(log, "jobs"))
    with pytest.raises(OSError, match="database cannot start"):
        async with parts.running():
            pytest.fail("started without its database")
    assert log == []


async def test_two_parts_cannot_share_a_name() -> None:
    parts = Parts()
    parts.add(opened([], "telegram"))
    with pytest.raises(ValueError, match="telegram"):
        parts.add(opened([], "telegram"))
