"""Where scheduled messages leave: a team group or a member on Telegram, or an SMS.

Each send answers with an `Outcome` the runner can act on without knowing Telegram:
retry (flood-wait, a network error before the request reached Telegram, a 5xx), failed
for good (blocked, kicked, chat not found), or unknown (a timeout after the request
went out: Telegram may have shown it, and sending again could show it twice).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

import httpx
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from commands.notices import Outcome, Result
from commands.summary_data import CAPTION_LIMIT

__all__ = ["Outcome", "Result", "SmsOut", "TelegramOut", "send_sms", "telegram_failure"]


class SmsOut(Protocol):
    """Anything that sends one SMS (channels.sms_sender's senders fit)."""

    async def send(self, to: str, text: str) -> Any: ...


def telegram_failure(error: TelegramError) -> Result:
    """What a Telegram error means for trying again."""
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return Result(Outcome.RETRY, "telegram", detail, seconds)
    if isinstance(error, TimedOut):
        if isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):
            return Result(Outcome.RETRY, "telegram", detail)  # the request never left
        return Result(Outcome.UNKNOWN, "telegram", detail)
    if isinstance(error, BadRequest | Forbidden | ChatMigrated):
        return Result(Outcome.FAILED, "telegram", detail)
    if isinstance(error, NetworkError):
        return Result(Outcome.RETRY, "telegram", detail)
    return Result(Outcome.FAILED, "telegram", detail)


class TelegramOut:
    """Sends through a python-telegram-bot `Bot`; the application's bot brings its
    AIORateLimiter, which paces every call to Telegram's limits and waits out a few
    flood-waits itself before one reaches us."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def photo(self, chat_id: int, png: bytes, caption: str, filename: str) -> Result:
        try:
            # Idempotent: the scheduler may fire before the application has started.
            await self.bot.initialize()
            await self.bot.send_photo(
                chat_id, png, caption=caption[:CAPTION_LIMIT], filename=filename
            )
        except TelegramError as error:
            return telegram_failure(error)
        return Result(Outcome.SENT, "telegram")

    async def text(self, chat_id: int, text: str) -> Result:
        try:
            await self.bot.initialize()
            await self.bot.send_message(chat_id, text)
        except TelegramError as error:
            return telegram_failure(error)
        return Result(Outcome.SENT, "telegram")


_SMS_OUTCOMES = {
    "accepted": Outcome.SENT,
    "failed": Outcome.RETRY,  # not handed over (Kannel down, 5xx): try again later
    "unknown": Outcome.UNKNOWN,  # the gateway may have taken it: never twice
}


async def send_sms(sms: SmsOut, phone: str, text: str) -> Result:
    """One SMS. The sender has already retried its gateway a few times at once; one not
    handed over is tried again later by the runner, a refused or capped one is final."""
    result = await sms.send(phone, text)
    status = str(getattr(result, "status", "accepted"))
    detail = str(getattr(result, "detail", ""))
    return Result(_SMS_OUTCOMES.get(status, Outcome.FAILED), "sms", detail)
