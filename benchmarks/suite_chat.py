"""Issue 16: inbound chat messages handled per second through the webhooks, Zalo beside Telegram.

Both runs post `TN 1` from one linked member after another (CONCURRENCY at a time, from
a separate process, as the platforms would) to the real Starlette front door served by
uvicorn, on a province database. A message counts as handled when its reply reached the
platform: Zalo's webhook answers after the reply went out through the real
`ZaloBotClient` to the stand-in Zalo Bot API; Telegram's queues the update for
python-telegram-bot, so its messages are counted when the stand-in Bot API has taken
every reply. Both stand-in APIs run in the bot's own event loop, so each platform's
figure includes serving its own replies.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path

import httpx

from benchmarks import province
from benchmarks.report import figure, latency, ratio
from benchmarks.suite_sms import MEMBERS, NOW, ROOT, serving
from channels.http import build_http_app
from channels.media import MediaLinks
from channels.telegram import build_application
from channels.zalo import ZaloChannel
from channels.zalo_api import ZaloBotClient
from commands.context import Services
from settings import Settings
from storage.sqlite import SQLiteRepository
from tests.support.botapi import BotApiServer
from tests.support.zaloapi import ZaloApiServer
from tracker.periods import local_day
from tracker.rules import load_rules

CONCURRENCY = 8
SECRET = "bench-webhook-secret"
TELEGRAM_BASE_ID = 7_000_000


def link_everyone(path: Path) -> None:
    """Every member linked on both platforms: Telegram id 7,000,000 + id, Zalo `z<id>`."""
    with sqlite3.connect(path) as db:
        db.execute("UPDATE members SET telegram_user_id = ? + id", (TELEGRAM_BASE_ID,))
        db.execute(
            "INSERT INTO zalo_links (zalo_user_id, member_id, linked_at)"
            " SELECT 'z' || id, id, ? FROM members",
            (NOW.isoformat(),),
        )


def zalo_update(number: int) -> dict[str, object]:
    member = number % MEMBERS + 1
    message = {
        "message_id": f"b{number}", "from": {"id": f"z{member}"},
        "chat": {"id": f"z{member}", "chat_type": "PRIVATE"}, "date": 0, "text": "TN 1",
    }  # fmt: skip
    return {"ok": True, "result": {"event_name": "message.text.received", "message": message}}


def telegram_update(number: int) -> dict[str, object]:
    user = TELEGRAM_BASE_ID + number % MEMBERS + 1
    sender = {"id": user, "is_bot": False, "first_name": "Cán bộ"}
    message = {
        "message_id": number + 1, "date": 0, "chat": {"id": user, "type": "private"},
        "from": sender, "text": "TN 1",
    }  # fmt: skip
    return {"update_id": number + 1, "message": message}


async def load(base: str, platform: str, count: int) -> tuple[float, list[float]]:
    """Posts per second with CONCURRENCY callers, and each post's latency."""
    path, header = {
        "zalo": ("/zalo", "X-Bot-Api-Secret-Token"),
        "telegram": ("/telegram", "X-Telegram-Bot-Api-Secret-Token"),
    }[platform]
    build = zalo_update if platform == "zalo" else telegram_update
    timings: list[float] = []
    numbers = iter(range(count))

    async def caller(client: httpx.AsyncClient) -> None:
        for number in numbers:
            started = time.perf_counter()
            response = await client.post(path, json=build(number), headers={header: SECRET})
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text

    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(caller(client) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return count / elapsed, timings


async def posted(base: str, platform: str, count: int) -> tuple[float, list[float]]:
    """`load` from its own process; returns (posts per second, latencies)."""
    generator = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.suite_chat", base, platform, str(count),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, _ = await generator.communicate()
    if generator.returncode != 0:
        raise RuntimeError(f"load generator failed with {generator.returncode}")
    rate, timings = json.loads(output)
    return float(rate), [float(t) for t in timings]


async def zalo_rate(services: Services, count: int) -> tuple[float, list[float]]:
    async with ZaloApiServer() as api, ZaloBotClient(api.token, api.base_url) as client:
        settings = Settings(
            zalo_bot_token=api.token,
            zalo_api_base_url=api.base_url,
            zalo_webhook_url="http://127.0.0.1:1/zalo",  # registered by the lifespan, never called
            zalo_webhook_secret=SECRET,
        )
        media = MediaLinks(services.repo, "http://127.0.0.1:1", services.clock, SECRET)
        channel = ZaloChannel(services, client, media=media)
        async with serving(build_http_app(services, settings, zalo=channel, media=media)) as base:
            started = time.perf_counter()
            _, timings = await posted(base, "zalo", count)
            elapsed = time.perf_counter() - started
        replies = [c for c in api.calls_of("sendMessage") if c.error_code is None]
        assert len(replies) == count, len(replies)
    return count / elapsed, timings


async def telegram_rate(services: Services, count: int) -> tuple[float, list[float]]:
    async with BotApiServer() as api:
        settings = Settings(
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url.removesuffix("/bot"),
            telegram_webhook_url="https://127.0.0.1:1/telegram",
            telegram_webhook_secret=SECRET,
        )
        application = build_application(services, settings)
        app = build_http_app(services, settings, application)
        async with serving(app) as base:
            started = time.perf_counter()
            _, timings = await posted(base, "telegram", count)
            while len(api.sent_messages()) < count:
                await api.wait_for("sendMessage", since=len(api.calls))
            elapsed = time.perf_counter() - started
    return count / elapsed, timings


async def measure(path: Path, quick: bool) -> None:
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: NOW)
    count = 400 if quick else 3000
    try:
        telegram, telegram_timings = await telegram_rate(services, count)
        zalo, zalo_timings = await zalo_rate(services, count)
    finally:
        await repo.close()
    figure("chat_inbound_telegram_webhook_rate", telegram, "msg/s")
    latency("chat_inbound_telegram_webhook_post", telegram_timings)
    figure("chat_inbound_zalo_webhook_rate", zalo, "msg/s")
    latency("chat_inbound_zalo_webhook_latency", zalo_timings)
    ratio(
        "chat_zalo_vs_telegram",
        zalo,
        telegram,
        "chat_inbound_zalo_webhook_rate / chat_inbound_telegram_webhook_rate",
    )


def run(folder: Path, quick: bool) -> None:
    path = folder / "chat.db"
    entries = 20_000 if quick else 1_000_000
    province.build(path, members=MEMBERS, entries=entries, until=local_day(NOW))
    link_everyone(path)
    asyncio.run(measure(path, quick))


if __name__ == "__main__":  # the load generator: python -m benchmarks.suite_chat BASE PLATFORM N
    print(json.dumps(asyncio.run(load(sys.argv[1], sys.argv[2], int(sys.argv[3])))))
