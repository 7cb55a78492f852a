"""The SMS channel, outbound: reminders, summaries and notices pushed to a member's phone.

Shaped like httpx's transports: one tiny interface, `SmsSender.send(to, text)`, and
small implementations that stack. `KannelSender` talks to Kannel's sendsms HTTP
interface (retrying connection failures and 5xx with backoff, never 4xx; a message
still not handed over is FAILED, which the scheduler tries again later, while one whose
fate is unknown is UNKNOWN and never sent again);
`DailyCapSender` wraps any sender so nobody gets more than a few pushed SMS a day;
`FunctionSender` hands each SMS to a plain function, for tests and dry runs.
Every sender sends `fit_sms(text)`: ASCII, at most 160 characters.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import httpx

from channels.http_client import OwnedHttpClient
from channels.sms import fit_sms
from commands.notices import Outcome, Result
from scheduling.outbox import send_sms
from settings import Settings
from storage.sms_repository import SmsRepository
from tracker.models import Member
from tracker.periods import local_day
from tracker.phones import InvalidPhone, normalise_phone

logger = logging.getLogger(__name__)


class SendStatus(StrEnum):
    ACCEPTED = "accepted"
    """The gateway took it (Kannel: `0: Accepted for delivery` or `3: Queued ...`)."""
    CAPPED = "capped"
    """Not sent: the number had its daily share of pushed SMS."""
    REJECTED = "rejected"
    """The gateway refused it (4xx, e.g. a wrong password) or the number is invalid."""
    FAILED = "failed"
    """Not handed over: no connection or 5xx, every attempt. Safe to try again later."""
    UNKNOWN = "unknown"
    """The request left but no answer came (a read timeout): Kannel may have taken it,
    and sending again could deliver it twice."""


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    detail: str = ""
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.status is SendStatus.ACCEPTED


class SmsSender(Protocol):
    async def send(self, to: str, text: str) -> SendResult: ...


NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before the request left: Kannel cannot have seen it."""

_NATIONAL = re.compile(r"^0\d{9}$")


def international(phone: str) -> str:
    """`0912000001` -> `84912000001`, the form SMSCs take (deploy/kannel.conf: TON 1)."""
    return "84" + phone[1:] if _NATIONAL.match(phone) else phone


class KannelSender(OwnedHttpClient):
    """Kannel's `/cgi-bin/sendsms`: GET with username, password, to, text, charset.

    A request that never reached Kannel (no connection) and a 5xx are retried
    `attempts` times in all, `backoff` seconds doubling between tries, then reported
    FAILED: not handed over, safe to try later. A 4xx is final. A request that left but
    got no answer (a read timeout, the connection dropped mid-answer) is UNKNOWN and not
    retried: Kannel may have taken the SMS, and a duplicate is worse than a late report.
    """

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        client: httpx.AsyncClient | None = None,
        attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ) -> None:
        self.url, self.username, self.password = url, username, password
        self.attempts, self.backoff, self.max_backoff = max(attempts, 1), backoff, max_backoff
        super().__init__(client, httpx.Timeout(10.0))

    async def send(self, to: str, text: str) -> SendResult:
        params = {
            "username": self.username,
            "password": self.password,
            "to": international(to),
            "text": fit_sms(text),
            "charset": "UTF-8",
        }
        detail = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self._client.get(self.url, params=params)
            except NOT_SENT as error:
                detail = repr(error)
            except httpx.TransportError as error:
                return SendResult(SendStatus.UNKNOWN, repr(error), attempt)
            else:
                detail = f"{response.status_code} {response.text.strip()}"
                if response.is_success:
                    return SendResult(SendStatus.ACCEPTED, detail, attempt)
                if response.status_code < 500:
                    return SendResult(SendStatus.REJECTED, detail, attempt)
            if attempt < self.attempts:
                await asyncio.sleep(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))
        logger.warning("SMS to %s not sent after %d attempts: %s", to, self.attempts, detail)
        return SendResult(SendStatus.FAILED, detail, self.attempts)


class DailyCapSender:
    """At most `cap` SMS per number and local day through `inner`; a failed send is given back."""

    def __init__(
        self,
        inner: SmsSender,
        store: SmsRepository,
        clock: Callable[[], datetime],
        cap: int,
    ) -> None:
        self.inner, self.store, self.clock, self.cap = inner, store, clock, cap

    async def send(self, to: str, text: str) -> SendResult:
        try:
            phone = normalise_phone(to)
        except InvalidPhone:
            return SendResult(SendStatus.REJECTED, f"not a Vietnamese mobile number: {to!r}")
        day = local_day(self.clock())
        if not await self.store.claim_outbound(phone, day, self.cap):
            return SendResult(SendStatus.CAPPED, f"{self.cap} SMS already sent today")
        result = await self.inner.send(phone, text)
        if result.status in (SendStatus.FAILED, SendStatus.REJECTED):  # surely not sent
            await self.store.release_outbound(phone, day)
        return result


class FunctionSender:
    """Hands each SMS (already fitted) to `handler`, like httpx.MockTransport."""

    def __init__(
        self, handler: Callable[[str, str], SendResult | Awaitable[SendResult] | None]
    ) -> None:
        self.handler = handler

    async def send(self, to: str, text: str) -> SendResult:
        result = self.handler(to, fit_sms(text))
        if inspect.isawaitable(result):
            result = await result
        return result or SendResult(SendStatus.ACCEPTED, attempts=1)


@asynccontextmanager
async def open_sms_sender(
    settings: Settings, store: SmsRepository, clock: Callable[[], datetime]
) -> AsyncIterator[SmsSender | None]:
    """The capped Kannel sender `settings` describe, or None when SMS_SENDSMS_URL is unset."""
    if not settings.sms_sendsms_url:
        yield None
        return
    kannel = KannelSender(
        settings.sms_sendsms_url,
        settings.require("sms_sendsms_user"),
        settings.require("sms_sendsms_password"),
    )
    try:
        yield DailyCapSender(kannel, store, clock, settings.sms_daily_cap)
    finally:
        await kannel.aclose()


class SmsNotices:
    """Notices by SMS: every member has a phone, so this channel is the last resort."""

    plain = True

    def __init__(self, sender: SmsSender) -> None:
        self.sender = sender

    async def reaches(self, member: Member) -> bool:
        return bool(member.phone)

    async def send(self, member: Member, text: str) -> Result:
        result = await send_sms(self.sender, member.phone, text)
        if result.outcome is not Outcome.SENT:
            logger.warning("SMS to member=%s not sent: %s", member.id, result.detail)
        return result

    async def send_photo(self, member: Member, png: bytes, caption: str, filename: str) -> Result:
        return await self.send(member, caption)  # an SMS carries no picture
