"""Tests of the Kannel harness against the real gateway (Debian package ``kannel``).

A tiny starlette app plays the bot on the get-url; ``KannelGateway`` plays the
phone network. These tests pin down what Kannel 1.4.5 does for us, so the bot's
own SMS tests can rely on it.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.support.kannel import (
    KannelError,
    KannelGateway,
    free_port,
    kannel_available,
    serve_asgi,
)

if not kannel_available():
    if os.environ.get("CI"):
        pytest.fail(
            "Kannel (bearerbox/smsbox) is not installed but CI is set: "
            "run `bash scripts/install-kannel.sh` before the tests",
            pytrace=False,
        )
    pytest.skip(
        "Kannel is not installed (bearerbox/smsbox not found): "
        "run `bash scripts/install-kannel.sh`",
        allow_module_level=True,
    )

pytestmark = pytest.mark.asyncio

SECRET = "s3cr3t-Xy_9"
PHONE = "84912345678"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
COULD_NOT_FETCH = "Could not fetch content, sorry."


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics, the way the bot keeps replies GSM-safe."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def get_url(base: str, secret: str = SECRET) -> str:
    """The sms-service get-url template the bot will use."""
    return f"{base}/sms/inbound?from=%p&to=%P&text=%a&id=%I&ts=%t&secret={secret}"


@dataclass
class FakeBot:
    """Plays the bot's /sms/inbound: records each call and answers as told."""

    base_url: str = ""
    calls: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)
    """Queued (status, text/plain body) answers; when empty: 200 "Da nhan: <text>"."""

    def app(self) -> Starlette:
        async def inbound(request: Request) -> PlainTextResponse:
            params = dict(request.query_params)
            self.calls.append(params)
            if self.answers:
                status, body = self.answers.pop(0)
                return PlainTextResponse(body, status_code=status)
            return PlainTextResponse("Da nhan: " + ascii_fold(params.get("text", "")))

        return Starlette(routes=[Route("/sms/inbound", inbound)])

    async def wait_calls(
        self,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[dict[str, str]]:
        """Wait until the bot has been called ``count`` times."""
        deadline = time.monotonic() + timeout
        while len(self.calls) < count:
            assert time.monotonic() < deadline, f"bot got {len(self.calls)}/{count} calls"
            await asyncio.sleep(0.02)
        return self.calls


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[FakeBot]:
    fake = FakeBot()
    async with serve_asgi(fake.app()) as base_url:
        fake.base_url = base_url
        yield fake


@pytest_asyncio.fixture
async def gw(bot: FakeBot, tmp_path: Path) -> AsyncIterator[KannelGateway]:
    async with KannelGateway(get_url_template=get_url(bot.base_url), tmp_path=tmp_path) as gateway:
        yield gateway


def sent_to(gw: KannelGateway, number: str) -> list[str]:
    """bearerbox access-log lines of MTs that bearerbox handed to the SMSC for ``number``."""
    return [
        line
        for line in gw.read_log("bearerbox-access").splitlines()
        if "Sent SMS" in line and f"[to:{number}]" in line
    ]


# --------------------------------------------------------------------- (a) MO


@pytest.mark.parametrize(
    ("text", "ucs2"),
    [
        ("TD tháng", True),  # how a phone sends Vietnamese: UCS-2, recoded by mo-recode
        ("TD tháng", False),  # UTF-8 straight through the HTTP SMSC
        ("TD 11/2025 a&b=c+d 100%", None),  # URL metacharacters survive both hops
    ],
)
async def test_mo_reaches_bot_and_reply_returns_to_sender(
    gw: KannelGateway, bot: FakeBot, text: str, ucs2: bool | None
) -> None:
    await gw.inject_mo(PHONE, text, ucs2=ucs2)

    mt = await gw.wait_mt(to=PHONE)
    assert mt.text == "Da nhan: " + ascii_fold(text)
    assert mt.sender == gw.short_code
    assert mt.udh is None
    assert mt.coding == 0

    [call] = bot.calls
    assert call["from"] == PHONE
    assert call["to"] == "8088"
    assert call["text"] == text
    assert call["secret"] == SECRET
    assert UUID_RE.match(call["id"]), call["id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", call["ts"]), call["ts"]

    await gw.sync_mt()
    assert gw.pending_mt() == [], "one MO must give exactly one reply SMS"


async def test_each_mo_has_its_own_id(gw: KannelGateway, bot: FakeBot) -> None:
    await gw.inject_mo(PHONE, "TD")
    await gw.inject_mo(PHONE, "TD")
    calls = await bot.wait_calls(2)
    assert calls[0]["id"] != calls[1]["id"]
    assert [(await gw.wait_mt(PHONE)).text for _ in range(2)] == ["Da nhan: TD"] * 2


async def test_reply_outside_gsm_alphabet_becomes_question_marks(
    gw: KannelGateway, bot: FakeBot
) -> None:
    """Why replies must be ASCII: smsbox turns non-GSM characters of a 7-bit reply into '?'."""
    bot.answers.append((200, "Đã nhận tháng"))
    await gw.inject_mo(PHONE, "TD")
    assert (await gw.wait_mt(PHONE)).text == "?? nh?n th?ng"


async def test_long_reply_is_cut_to_one_sms_of_160_chars(gw: KannelGateway, bot: FakeBot) -> None:
    """max-messages = 1: a longer reply is silently truncated, so bot tests see it."""
    bot.answers.append((200, "x" * 150 + "y" * 50))
    await gw.inject_mo(PHONE, "TD")
    mt = await gw.wait_mt(PHONE)
    assert mt.text == "x" * 150 + "y" * 10
    await gw.sync_mt()
    assert gw.pending_mt() == []


async def test_concatenation_splits_long_reply_into_parts(bot: FakeBot, tmp_path: Path) -> None:
    body = "x" * 150 + "y" * 50
    bot.answers.append((200, body))
    async with KannelGateway(
        get_url_template=get_url(bot.base_url),
        tmp_path=tmp_path,
        max_messages=3,
        concatenation=True,
    ) as gw:
        await gw.inject_mo(PHONE, "TD")
        assert await gw.wait_text(PHONE) == body
        parts = gw.mt_messages
        assert [m.concat[1:] if m.concat else None for m in parts] == [(2, 1), (2, 2)]


# ---------------------------------------------------------------- (b) sendsms


async def test_sendsms_reaches_the_phone_network(gw: KannelGateway) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(
            gw.sendsms_url,
            params={
                "username": gw.sendsms_user,
                "password": gw.sendsms_password,
                "to": "84987654321",
                "text": "Nhac nho: han bao cao 25/11 & chi tieu 100%",
                "charset": "UTF-8",
            },
        )
        assert response.status_code == 202, response.text
        assert response.text.strip() == "0: Accepted for delivery"
        mt = await gw.wait_mt(to="84987654321")
        assert mt.text == "Nhac nho: han bao cao 25/11 & chi tieu 100%"
        assert mt.sender == gw.short_code  # smsbox global-sender

        wrong = await client.get(
            gw.sendsms_url,
            params={
                "username": gw.sendsms_user,
                "password": "wrong",
                "to": "84900000000",
                "text": "should not go",
                "charset": "UTF-8",
            },
        )
        assert wrong.status_code == 403, wrong.text
        assert "Authorization failed" in wrong.text
    await gw.sync_mt()
    assert gw.pending_mt(to="84900000000") == []


async def test_sendsms_non_gsm_text_needs_coding_2(gw: KannelGateway) -> None:
    text = "Đã nhận tháng"
    assert (await gw.send_sms("841", text)).status_code == 202
    assert (await gw.wait_mt("841")).text == "?? nh?n th?ng"
    assert (await gw.send_sms("842", text, coding="2")).status_code == 202
    mt = await gw.wait_mt("842")
    assert (mt.text, mt.coding, mt.charset) == (text, 2, "UTF-16BE")


# ------------------------------------------------------ (c) empty reply, errors


async def test_empty_reply_with_omit_empty_sends_nothing(gw: KannelGateway, bot: FakeBot) -> None:
    bot.answers.append((200, ""))
    await gw.inject_mo(PHONE, "TD")
    [call] = await bot.wait_calls(1)
    # smsbox has handled the answer once its access log has the line for this MO ...
    await gw.wait_log("smsbox-access", re.escape(call["id"]) + r".*reply: 200")
    # ... and anything it queued before the barrier SMS has reached the sink.
    await gw.sync_mt()
    assert gw.pending_mt(to=PHONE) == []
    assert sent_to(gw, PHONE) == []


async def test_bot_error_gets_could_not_fetch_and_no_retry(gw: KannelGateway, bot: FakeBot) -> None:
    bot.answers.append((500, "boom"))
    await gw.inject_mo(PHONE, "TD")
    assert (await gw.wait_mt(PHONE)).text == COULD_NOT_FETCH
    await gw.sync_mt()
    assert len(bot.calls) == 1, "http-request-retry = 0: the get-url is called once"
    assert gw.pending_mt() == []


async def test_bot_down_gets_could_not_fetch(tmp_path: Path) -> None:
    closed_port = free_port()
    async with KannelGateway(
        get_url_template=get_url(f"http://127.0.0.1:{closed_port}"), tmp_path=tmp_path
    ) as gw:
        await gw.inject_mo(PHONE, "TD")
        assert (await gw.wait_mt(PHONE)).text == COULD_NOT_FETCH
        await gw.wait_log("smsbox-access", r"reply: -1")


async def test_get_url_retry_repeats_the_same_message_id(bot: FakeBot, tmp_path: Path) -> None:
    bot.answers += [(500, "boom"), (503, "busy")]
    async with KannelGateway(
        get_url_template=get_url(bot.base_url),
        tmp_path=tmp_path,
        http_request_retry=2,
        http_queue_delay=1,
    ) as gw:
        await gw.inject_mo(PHONE, "TD")
        assert (await gw.wait_mt(PHONE)).text == "Da nhan: TD"
        assert len(bot.calls) == 3
        assert len({call["id"] for call in bot.calls}) == 1, "a retry reuses %I"
        await gw.sync_mt()
        assert gw.pending_mt() == []


# ------------------------------------------------------- sink and lifecycle


async def test_sink_failures_500_loses_the_mt_and_drop_is_retried(gw: KannelGateway) -> None:
    gw.fail_next_mt(1, status=500)
    assert (await gw.send_sms("841", "lost")).status_code == 202
    await gw.wait_log("bearerbox-access", r"FAILED Send SMS .*\[to:841\]")
    gw.drop_next_mt(1)
    assert (await gw.send_sms("842", "retried")).status_code == 202

    assert (await gw.wait_mt("842")).text == "retried"
    await gw.sync_mt()
    assert gw.pending_mt() == [], "an MT answered 500 is not retried"
    attempts = [(m.to, m.text, m.answered) for m in gw.mt_attempts]
    assert attempts == [("841", "lost", 500), ("842", "retried", None), ("842", "retried", 200)]
    assert "FAILED Send SMS" in gw.read_log("bearerbox-access")


async def test_boxes_are_stopped_and_ports_closed_on_exit(bot: FakeBot, tmp_path: Path) -> None:
    async with KannelGateway(get_url_template=get_url(bot.base_url), tmp_path=tmp_path) as gw:
        pids = gw.pids
        assert set(pids) == {"bearerbox", "smsbox"}
        assert gw.startup_seconds < 10
        ports = [gw.admin_port, gw.smsbox_port, gw.sendsms_port, gw.smsc_port]
        assert "[sink]" in await gw.admin_status()
    assert gw.pids == {}
    for pid in pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
    assert "smsbox terminating" in gw.read_log("smsbox")


async def test_startup_failure_reports_kannel_logs(tmp_path: Path) -> None:
    gateway = KannelGateway(
        get_url_template=get_url("http://127.0.0.1:9"),
        tmp_path=tmp_path,
        extra_config="group = smsbox-route\nno-such-field = 1\n",
    )
    with pytest.raises(KannelError, match="may not contain field 'no-such-field'"):
        async with gateway:
            pytest.fail("the gateway must not start with a broken config")
    assert gateway.pids == {}
