"""The bot's HTTP front door, served by uvicorn on 127.0.0.1: health, and Telegram in both modes.

Telegram is the real python-telegram-bot stack talking HTTP to the local fake Bot API
server (tests/support/botapi.py); the webhook gets its updates the way Telegram posts them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from channels.http import HealthCheck, build_http_app
from channels.telegram import build_application
from commands.context import Services
from settings import MissingSetting, Settings
from storage.sqlite import SQLiteRepository
from tests.conftest import Clock
from tests.support.botapi import BotApiServer
from tests.support.net import free_port, serve_asgi
from tests.support.updates import text_update, user
from tracker.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_URL = "https://bhxh.example.invalid/telegram"  # only recorded, never called
WEBHOOK_SECRET = "wh_S3cret-token"
INTRUDER = user(7001, "Kẻ lạ")
STRANGER = user(7002, "Khách")
TEAM_GROUP = -1001234567890


@pytest.fixture
async def api() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server


def telegram_settings(api: BotApiServer, **extra: str) -> Settings:
    base = api.base_url.removesuffix("/bot")
    return Settings(telegram_bot_token=api.token, telegram_api_base_url=base, **extra)


async def test_healthz_names_each_part_and_fails_only_without_the_database(
    services: Services,
) -> None:
    alive = {"scheduler": True}

    async def scheduler_alive() -> bool:
        return alive["scheduler"]

    checks = [HealthCheck("scheduler", scheduler_alive), HealthCheck("sync probe", lambda: True)]
    app = build_http_app(services, Settings(), health_checks=checks)
    async with serve_asgi(app) as base, httpx.AsyncClient(base_url=base) as http:
        healthy = await http.get("/healthz")
        assert healthy.status_code == 200
        assert healthy.json() == {
            "status": "ok",
            "parts": {"database": "up", "screens": "up", "scheduler": "up", "sync probe": "up"},
        }
        alive["scheduler"] = False
        degraded = await http.get("/healthz")
        assert degraded.status_code == 200  # the bot still serves: only the database is vital
        assert degraded.json() == {
            "status": "degraded",
            "parts": {"database": "up", "screens": "up", "scheduler": "down", "sync probe": "up"},
        }


async def test_healthz_fails_when_the_database_is_gone(tmp_path: Path, clock: Clock) -> None:
    repo = await SQLiteRepository.open(tmp_path / "gone.db")
    app = build_http_app(Services(repo, load_rules(), clock), Settings())
    async with serve_asgi(app) as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.get("/healthz")).status_code == 200
        await repo.close()
        response = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "parts": {"database": "down", "screens": "up"},
    }


async def test_webhook_mode_checks_the_secret_and_queues_real_updates(
    api: BotApiServer, services: Services
) -> None:
    settings = telegram_settings(
        api, telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=WEBHOOK_SECRET
    )
    app = build_http_app(services, settings, build_application(services, settings))
    async with serve_asgi(app) as base, httpx.AsyncClient(base_url=base) as http:
        # Starting the server started PTB and told Telegram where to post, with the secret.
        assert api.webhook_url == WEBHOOK_URL
        [set_webhook] = api.calls_of("setWebhook")
        assert set_webhook.params["secret_token"] == WEBHOOK_SECRET
        assert not api.calls_of("getUpdates")

        since = api.mark()
        intruder = {"update_id": 11, **text_update(INTRUDER, "/start")}
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            refused = await http.post("/telegram", json=intruder, headers=headers)
            assert refused.status_code == 403
        good = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        for garbage in (b"{not json", b"[]", b"{}", b"null"):
            response = await http.post("/telegram", content=garbage, headers=good)
            assert response.status_code == 400
        update = {"update_id": 12, **text_update(STRANGER, "/start")}
        accepted = await http.post("/telegram", json=update, headers=good)
        assert accepted.status_code == 200

        reply = await api.wait_for("sendMessage", since=since)
        assert reply.params["chat_id"] == STRANGER["id"]
        assert "chia sẻ số điện thoại" in reply.params["text"]
        # Updates run in order: had a refused one been queued, its answer would be first.
        assert [call.params["chat_id"] for call in api.sent_messages()] == [STRANGER["id"]]


async def test_an_sms_that_meets_the_quota_is_celebrated_in_the_telegram_group(
    api: BotApiServer, services: Services
) -> None:
    lan = await services.repo.member_by_phone("0912000001")
    assert lan is not None
    await services.repo.bind_group(lan.unit_id, TEAM_GROUP)
    settings = telegram_settings(api, sms_inbound_secret="sms")
    app = build_http_app(services, settings, build_application(services, settings))
    async with serve_asgi(app) as base, httpx.AsyncClient(base_url=base) as http:
        since = api.mark()
        params = {"from": "84912000001", "text": "TN 10", "id": "q1", "secret": "sms"}
        reply = await http.get("/sms/inbound", params=params)
        assert reply.text.endswith("TN 10/10 (100%) da hoan thanh")  # November's quota: 10
        post = await api.wait_for("sendMessage", since=since)
        assert post.params["chat_id"] == TEAM_GROUP
        celebrated = "Nguyễn Thị Lan đã hoàn thành 100% chỉ tiêu BHXH tự nguyện tháng"
        assert celebrated in post.params["text"]
        assert (await http.get("/sms/inbound", params=params)).text == reply.text  # a repeat
        await http.get("/sms/inbound", params={**params, "text": "TD", "id": "q2"})
    assert len(api.sent_messages(TEAM_GROUP)) == 1


async def test_webhook_mode_without_a_secret_fails_at_once(
    api: BotApiServer, services: Services
) -> None:
    settings = telegram_settings(api, telegram_webhook_url=WEBHOOK_URL)
    with pytest.raises(MissingSetting, match="TELEGRAM_WEBHOOK_SECRET"):
        build_http_app(services, settings, build_application(services, settings))


async def test_polling_mode_has_no_webhook_route(api: BotApiServer, services: Services) -> None:
    settings = telegram_settings(api)
    app = build_http_app(services, settings, build_application(services, settings))
    async with serve_asgi(app) as base, httpx.AsyncClient(base_url=base) as http:
        since = api.mark()
        api.push_update(text_update(STRANGER, "/start"))
        reply = await api.wait_for("sendMessage", since=since)
        assert "chia sẻ số điện thoại" in reply.params["text"]
        headers = {"X-Telegram-Bot-Api-Secret-Token": "anything"}
        response = await http.post("/telegram", json={"update_id": 1}, headers=headers)
        assert response.status_code == 404
    assert api.webhook_url == ""


def test_python_bot_py_serves_the_front_door_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_", "HTTP_"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quota.db'}",
        "HTTP_PORT": str(port),
        "SMS_INBOUND_SECRET": "run-secret",
    }
    bot = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            deadline = time.monotonic() + 30  # waiting for startup, not timing it
            while True:
                try:
                    health = http.get("/healthz")
                    break
                except httpx.TransportError:
                    assert bot.poll() is None, bot.communicate()[1]
                    assert time.monotonic() < deadline, "bot.py did not start listening"
                    time.sleep(0.1)
            assert health.status_code == 200
            report = health.json()
            me = report["process"]
            assert report == {
                "status": "ok",
                "parts": {"database": "up", "process": "up", "screens": "up", "scheduler": "up"},
                "database": {"backend": "sqlite", "at": env["DATABASE_URL"]},
                "process": {
                    "name": f"{socket.gethostname()}:{bot.pid}:{me['name'].rsplit(':', 1)[1]}",
                    "host": socket.gethostname(),
                    "pid": bot.pid,
                    "started_at": me["started_at"],
                },
                "processes": [me["name"]],  # the only one alive on this database
            }
            started = datetime.fromisoformat(me["started_at"])
            assert abs(datetime.now(UTC) - started) < timedelta(minutes=5)
            params = {"from": "84987654321", "text": "TN 2", "secret": "run-secret"}
            refusal = http.get("/sms/inbound", params=params)
            assert refusal.text.startswith("So nay chua co trong danh sach")
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
    assert "TELEGRAM_BOT_TOKEN is not set" in stderr
    assert "run-secret" not in stderr  # no access log: the secret stays out of the logs
