"""Zalo as a part of the process `python bot.py` serves (channels.process): retried in the
background while the Zalo Bot API is away, then long polling; /media served beside it."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx

from admin.config import load_config
from channels.process import process_app
from settings import Settings
from storage.repository import QuotaRow
from storage.sqlite import SQLiteRepository
from tests.conftest import NOW, STAFF, Clock
from tests.support.net import free_port, serve_asgi
from tests.support.zaloapi import DEFAULT_TOKEN, ZaloApiServer
from tests.test_parts import FAST, eventually
from tracker.models import TargetKind

LAN = "u-lan"


async def test_zalo_comes_up_late_and_then_serves_commands_and_charts(
    tmp_path: Path, clock: Clock
) -> None:
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    await repo.import_staff(STAFF)
    quotas = [QuotaRow(0, TargetKind.MEMBER, row.phone, "TN", "2026", 120) for row in STAFF]
    await repo.import_quotas(quotas, NOW)
    lan = await repo.member_by_phone("0912000001")
    assert lan is not None and await repo.link_zalo(lan.id, LAN, lan.phone, NOW)
    await repo.close()
    zalo_port, bot_port = free_port(), free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'quota.db'}",
        zalo_bot_token=DEFAULT_TOKEN,
        zalo_api_base_url=f"http://127.0.0.1:{zalo_port}",  # nothing listens there yet
        public_base_url=f"http://127.0.0.1:{bot_port}",
        media_secret="process-media-key",
    )
    app = process_app(load_config(settings), clock, FAST)
    async with (
        contextlib.AsyncExitStack() as late,
        serve_asgi(app, port=bot_port) as base,
        httpx.AsyncClient(base_url=base) as http,
    ):
        health = (await http.get("/healthz")).json()
        assert health["parts"] == {
            "database": "up",
            "process": "up",
            "scheduler": "up",
            "screens": "up",
            "zalo": "retrying",
        }
        zalo = await late.enter_async_context(ZaloApiServer(port=zalo_port))

        async def zalo_up() -> bool:
            return bool((await http.get("/healthz")).json()["parts"]["zalo"] == "up")

        await eventually(zalo_up)
        since = zalo.mark()
        zalo.push_text(LAN, "/bieudo")
        photo = await zalo.wait_for("sendPhoto", since=since, timeout=20)
        assert photo.params["photo"].startswith(f"{base}/media/")
        assert photo.fetched_status == 200 and photo.fetched.startswith(b"\x89PNG")
        assert zalo.texts_to(LAN, since) == [
            "📊 Biểu đồ tháng 11/2026 · Phường Hạc Thành:"
            " người tham gia mới so với kế hoạch phát triển mới"
        ]
