"""Outbound SMS: retry rules of the Kannel client, the daily cap, on real HTTP and SQLite.

Real Kannel is in test_sms_kannel.py; here a small local server answers the way a
failing gateway would (5xx, then success), which Kannel cannot be made to do on demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from channels.sms_sender import (
    DailyCapSender,
    FunctionSender,
    KannelSender,
    SendResult,
    SendStatus,
    international,
)
from commands.context import Services
from tests.conftest import Clock
from tests.support.net import free_port, serve_asgi

LAN = "0912000001"


@dataclass
class Gateway:
    """Answers sendsms calls from a script of (status, body); then 202 Accepted."""

    script: list[tuple[int, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def app(self) -> Starlette:
        async def sendsms(request: Request) -> PlainTextResponse:
            self.calls.append(dict(request.query_params))
            status, body = self.script.pop(0) if self.script else (202, "0: Accepted for delivery")
            return PlainTextResponse(body, status_code=status)

        return Starlette(routes=[Route("/cgi-bin/sendsms", sendsms)])


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    fake = Gateway()
    async with serve_asgi(fake.app()) as base:
        fake.url = f"{base}/cgi-bin/sendsms"
        yield fake


def kannel(url: str, password: str = "pw", attempts: int = 4) -> KannelSender:
    return KannelSender(url, "bot", password, attempts=attempts, backoff=0.0)


async def test_sends_fitted_ascii_to_the_international_number(gateway: Gateway) -> None:
    async with kannel(gateway.url) as sender:
        result = await sender.send(
            LAN, "Nhắc việc: tuần này bạn chậm tiến độ 3 TN. Gửi TN 2 để ghi."
        )
    assert result == SendResult(SendStatus.ACCEPTED, "202 0: Accepted for delivery", 1)
    [call] = gateway.calls
    assert call == {
        "username": "bot",
        "password": "pw",
        "to": "84912000001",
        "text": "Nhac viec: tuan nay ban cham tien do 3 TN. Gui TN 2 de ghi.",
        "charset": "UTF-8",
    }


async def test_5xx_is_retried_until_accepted(gateway: Gateway) -> None:
    gateway.script = [(503, "busy"), (500, "oops")]
    async with kannel(gateway.url) as sender:
        result = await sender.send(LAN, "x")
    assert result.status is SendStatus.ACCEPTED and result.attempts == 3
    assert len(gateway.calls) == 3


async def test_5xx_every_time_fails_after_all_attempts(gateway: Gateway) -> None:
    gateway.script = [(502, "down")] * 10
    async with kannel(gateway.url, attempts=3) as sender:
        result = await sender.send(LAN, "x")
    assert result == SendResult(SendStatus.FAILED, "502 down", 3)
    assert len(gateway.calls) == 3


@pytest.mark.parametrize("status", [400, 403, 404])
async def test_4xx_is_final(gateway: Gateway, status: int) -> None:
    gateway.script = [(status, "Authorization failed for sendsms")]
    async with kannel(gateway.url) as sender:
        result = await sender.send(LAN, "x")
    assert result.status is SendStatus.REJECTED and result.attempts == 1
    assert len(gateway.calls) == 1


async def test_connection_errors_are_retried() -> None:
    nobody = f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms"
    async with kannel(nobody, attempts=3) as sender:
        result = await sender.send(LAN, "x")
    assert result.status is SendStatus.FAILED and result.attempts == 3
    assert "ConnectError" in result.detail


def test_international_form() -> None:
    assert international("0912000001") == "84912000001"
    assert international("84912000001") == "84912000001"
    assert international("8088") == "8088"


async def test_daily_cap_per_number_and_day(services: Services, clock: Clock) -> None:
    sent: list[tuple[str, str]] = []
    phone = FunctionSender(lambda to, text: sent.append((to, text)))  # None: accepted
    sender = DailyCapSender(phone, services.repo, clock, cap=2)
    results = [await sender.send("+84 912 000 001", f"nhắc {n}") for n in range(3)]
    assert [r.status for r in results] == [SendStatus.ACCEPTED] * 2 + [SendStatus.CAPPED]
    assert (await sender.send("0912000002", "khác")).ok  # another number has its own cap
    assert sent == [(LAN, "nhac 0"), (LAN, "nhac 1"), ("0912000002", "khac")]
    clock.now += timedelta(days=1)
    assert (await sender.send(LAN, "mai")).ok
    assert await services.repo.outbound_count(LAN, clock.now.date()) == 1


async def test_a_send_that_fails_does_not_use_up_the_cap(services: Services, clock: Clock) -> None:
    answers = [SendResult(SendStatus.FAILED), SendResult(SendStatus.REJECTED)]
    flaky = FunctionSender(lambda to, text: answers.pop(0) if answers else None)
    sender = DailyCapSender(flaky, services.repo, clock, cap=1)
    assert (await sender.send(LAN, "a")).status is SendStatus.FAILED
    assert (await sender.send(LAN, "b")).status is SendStatus.REJECTED
    assert (await sender.send(LAN, "c")).ok
    assert (await sender.send(LAN, "d")).status is SendStatus.CAPPED
    not_a_phone = await sender.send("12345", "e")
    assert not_a_phone.status is SendStatus.REJECTED
    assert await services.repo.outbound_count(LAN, clock.now.date()) == 1
