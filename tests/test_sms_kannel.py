"""The SMS channel end to end through a real Kannel (bearerbox + smsbox on 127.0.0.1).

A phone's SMS is injected at Kannel's HTTP SMSC; smsbox calls the bot's real HTTP server
(uvicorn serving the real Starlette app); the reply SMS comes out of Kannel at the sink.
Pushed SMS go out through Kannel's sendsms the way the bot sends them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.http import build_http_app
from channels.sms_sender import DailyCapSender, KannelSender, SendStatus
from commands.context import Services
from settings import Settings
from tests.conftest import Clock
from tests.support.db import rows
from tests.support.kannel import KannelGateway, kannel_available, serve_asgi

if not kannel_available():
    if os.environ.get("CI"):
        pytest.fail("Kannel is not installed but CI is set", pytrace=False)
    pytest.skip("Kannel is not installed: bash scripts/install-kannel.sh", allow_module_level=True)

SECRET = "kannel-in_S3cret"
LAN = "84912000001"  # Nguyễn Thị Lan, as the network gives her number
STRANGER = "84987654321"
COULD_NOT_FETCH = "Could not fetch content, sorry."


def get_url(base: str, secret: str = SECRET) -> str:
    return f"{base}/sms/inbound?from=%p&to=%P&text=%a&id=%I&ts=%t&secret={secret}"


@pytest.fixture
async def bot_url(services: Services) -> AsyncIterator[str]:
    async with serve_asgi(build_http_app(services, Settings(sms_inbound_secret=SECRET))) as url:
        yield url


@pytest.fixture
async def gw(bot_url: str, tmp_path: Path) -> AsyncIterator[KannelGateway]:
    async with KannelGateway(get_url_template=get_url(bot_url), tmp_path=tmp_path) as gateway:
        yield gateway


async def test_an_sms_is_logged_and_the_reply_comes_back(gw: KannelGateway, tmp_path: Path) -> None:
    await gw.inject_mo(LAN, "Tn  2")
    reply = await gw.wait_mt(to=LAN)
    assert reply.text == ("Da ghi 2 TN ngay 23/11/2026.\nLuy ke thang 11: TN 2/10 (20%) cham 6")
    assert reply.sender == gw.short_code and reply.coding == 0 and reply.udh is None
    # Vietnamese with diacritics travels as UCS-2; Kannel recodes it for the bot.
    await gw.inject_mo(LAN, "TD tháng")
    progress = await gw.wait_mt(to=LAN)
    assert progress.text.startswith("Tien do thang 11:\nTN 2/10 (20%) cham 6")
    assert rows(tmp_path, "SELECT program, count, channel FROM entries") == [("TN", 2, "sms")]


async def test_an_unknown_number_gets_one_refusal_and_then_silence(
    gw: KannelGateway, tmp_path: Path
) -> None:
    await gw.inject_mo(STRANGER, "TN 2")
    refusal = await gw.wait_mt(to=STRANGER)
    assert refusal.text.startswith("So nay chua co trong danh sach can bo")
    await gw.inject_mo(STRANGER, "TN 3")
    await gw.sync_mt()  # everything Kannel had queued has reached the phone network
    assert gw.pending_mt(to=STRANGER) == []
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]
    assert rows(tmp_path, "SELECT count(*) FROM sms_refusals") == [(1,)]


async def test_a_wrong_secret_is_refused_and_stores_nothing(bot_url: str, tmp_path: Path) -> None:
    template = get_url(bot_url, secret="not-the-secret")
    async with KannelGateway(get_url_template=template, tmp_path=tmp_path) as gw:
        await gw.inject_mo(LAN, "TN 2")
        await gw.inject_mo(STRANGER, "TN 2")
        assert (await gw.wait_mt(to=LAN)).text == COULD_NOT_FETCH
        assert (await gw.wait_mt(to=STRANGER)).text == COULD_NOT_FETCH
        assert "Status line: <HTTP/1.1 403 Forbidden>" in gw.read_log("smsbox")
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]
    assert rows(tmp_path, "SELECT count(*) FROM sms_refusals") == [(0,)]


def answer_lost_once(app: ASGIApp, calls: list[dict[str, list[str]]]) -> ASGIApp:
    """The bot handles every call, but its first answer is lost: Kannel sees a 500."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sms/inbound":
            await app(scope, receive, send)
            return
        calls.append(parse_qs(scope["query_string"].decode()))
        if len(calls) > 1:
            await app(scope, receive, send)
            return

        async def lost(message: Message) -> None:
            pass

        await app(scope, receive, lost)
        await PlainTextResponse("lost on the way", status_code=500)(scope, receive, send)

    return wrapper


async def test_kannel_retrying_a_failed_call_counts_once(
    services: Services, tmp_path: Path
) -> None:
    calls: list[dict[str, list[str]]] = []
    app = answer_lost_once(build_http_app(services, Settings(sms_inbound_secret=SECRET)), calls)
    async with (
        serve_asgi(app) as bot_url,
        KannelGateway(
            get_url_template=get_url(bot_url), tmp_path=tmp_path, http_request_retry=2
        ) as gw,
    ):
        await gw.inject_mo(LAN, "TN 3")
        reply = await gw.wait_mt(to=LAN)
        await gw.sync_mt()
        assert gw.pending_mt(to=LAN) == []  # one reply, not a "could not fetch" too
    assert reply.text.startswith("Da ghi 3 TN ngay 23/11/2026.\n")
    assert reply.text.endswith("TN 3/10 (30%) cham 5")  # 3, not 6
    first, retry = calls
    assert first["id"] == retry["id"] and first["text"] == retry["text"] == ["TN 3"]
    assert rows(tmp_path, "SELECT count, state FROM entries") == [(3, "reported")]


async def test_pushed_sms_leave_through_sendsms_within_the_daily_cap(
    gw: KannelGateway, services: Services, clock: Clock
) -> None:
    kannel = KannelSender(gw.sendsms_url, gw.sendsms_user, gw.sendsms_password, backoff=0.0)
    async with kannel:
        sender = DailyCapSender(kannel, services.repo, clock, cap=2)
        reminder = "Nhắc việc: tháng 11 bạn đang chậm tiến độ 6 TN. Gửi TN 2 để ghi ngay."
        first = await sender.send("0912000001", reminder)
        assert first.status is SendStatus.ACCEPTED
        arrived = await gw.wait_mt(to=LAN)
        assert (
            arrived.text == "Nhac viec: thang 11 ban dang cham tien do 6 TN. Gui TN 2 de ghi ngay."
        )
        assert arrived.sender == gw.short_code and arrived.coding == 0

        assert (await sender.send("+84 912 000 001", "Tổng hợp tuần 48")).ok
        assert (await sender.send("0912000001", "một tin nữa")).status is SendStatus.CAPPED
        await gw.sync_mt()
        assert [m.text for m in gw.pending_mt(to=LAN)] == ["Tong hop tuan 48"]

    async with KannelSender(gw.sendsms_url, gw.sendsms_user, "wrong", backoff=0.0) as bad:
        refused = await DailyCapSender(bad, services.repo, clock, cap=5).send("0912000002", "x")
    assert refused.status is SendStatus.REJECTED and refused.attempts == 1
    assert await services.repo.outbound_count("0912000002", clock.now.date()) == 0
