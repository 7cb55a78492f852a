"""A thin typed client of the Zalo Bot API (`https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>`).

The API is a dozen JSON methods shaped like Telegram's (see channels/ZALO.md for what we
relied on and where it is written down). No third-party SDK: the Python ones we found are
forks of python-telegram-bot without types or tests, and this is 200 lines over httpx.

Sending paces itself and retries: 429 and 5xx answers and dropped connections are retried
with a doubling backoff (a `retry_after` in the answer wins), a 4xx is final.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from channels.http_client import OwnedHttpClient

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000
"""sendMessage takes at most 2,000 characters; longer replies go out in parts."""
POLL_TIMEOUT = 408
"""What getUpdates answers (`ok: false`) when no update came within its timeout."""

JSONDict = dict[str, Any]


class ZaloApiError(Exception):
    """The API answered `ok: false` (or a non-JSON error) for a method."""

    def __init__(self, method: str, error_code: int, description: str) -> None:
        super().__init__(f"{method}: {error_code} {description}")
        self.method, self.error_code, self.description = method, error_code, description


@dataclass(frozen=True)
class ZaloMessage:
    message_id: str
    sender_id: str
    sender_name: str
    chat_id: str
    is_group: bool
    date: int
    text: str | None


@dataclass(frozen=True)
class ZaloUpdate:
    event_name: str
    message: ZaloMessage | None

    @property
    def text(self) -> str | None:
        if self.message is None or self.event_name != "message.text.received":
            return None
        return self.message.text


def parse_update(data: object) -> ZaloUpdate | None:
    """An update from getUpdates or a webhook body, flat or wrapped in `{"ok", "result"}`."""
    if isinstance(data, dict) and "result" in data and "event_name" not in data:
        data = data["result"]
    if not isinstance(data, dict) or not isinstance(data.get("event_name"), str):
        return None
    raw = data.get("message")
    message = None
    if isinstance(raw, dict):
        sender = raw.get("from") or {}
        chat = raw.get("chat") or {}
        if not sender.get("id") or not chat.get("id") or not raw.get("message_id"):
            return None
        message = ZaloMessage(
            message_id=str(raw["message_id"]),
            sender_id=str(sender["id"]),
            sender_name=str(sender.get("display_name") or sender.get("name") or ""),
            chat_id=str(chat["id"]),
            is_group=str(chat.get("chat_type", "PRIVATE")).upper() == "GROUP",
            date=int(raw.get("date") or 0),
            text=raw["text"] if isinstance(raw.get("text"), str) else None,
        )
    return ZaloUpdate(data["event_name"], message)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` characters, cut at line ends where there are any."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text or not parts else parts


class ZaloBotClient(OwnedHttpClient):
    """One bot's API. `send_*` methods pace and retry; `get_updates` is one long poll."""

    def __init__(
        self,
        token: str,
        base_url: str | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        min_interval: float = 0.0,
    ) -> None:
        self._url = f"{(base_url or DEFAULT_BASE_URL).rstrip('/')}/bot{token}"
        super().__init__(client, httpx.Timeout(10.0))
        self.attempts, self.backoff, self.max_backoff = max(attempts, 1), backoff, max_backoff
        self.min_interval = min_interval
        """Seconds between two sends: the bot's own pace, below the platform's limits."""
        self._pace = asyncio.Lock()
        self._last_send = 0.0

    # -- the methods ------------------------------------------------------------------------
    async def get_me(self) -> JSONDict:
        result: JSONDict = await self._call("getMe", {})
        return result

    async def get_updates(self, wait: int = 30) -> list[ZaloUpdate]:
        """Waits up to `wait` seconds for updates (a long poll); [] when none came."""
        try:
            result = await self._call(
                "getUpdates", {"timeout": str(wait)}, read_timeout=wait + 10.0
            )
        except ZaloApiError as error:
            if error.error_code == POLL_TIMEOUT:
                return []
            raise
        items = result if isinstance(result, list) else [result]
        return [update for item in items if (update := parse_update(item)) is not None]

    async def set_webhook(self, url: str, secret_token: str) -> JSONDict:
        result: JSONDict = await self._call(
            "setWebhook", {"url": url, "secret_token": secret_token}
        )
        return result

    async def delete_webhook(self) -> JSONDict:
        result: JSONDict = await self._call("deleteWebhook", {})
        return result

    async def get_webhook_info(self) -> JSONDict:
        result: JSONDict = await self._call("getWebhookInfo", {})
        return result

    async def send_message(self, chat_id: str, text: str) -> list[JSONDict]:
        """One message, or several when `text` is longer than the API takes."""
        return [
            await self._send("sendMessage", {"chat_id": chat_id, "text": part})
            for part in split_text(text)
        ]

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> JSONDict:
        params = {"chat_id": chat_id, "photo": photo_url}
        return await self._send("sendPhoto", params | ({"caption": caption} if caption else {}))

    async def send_sticker(self, chat_id: str, sticker: str) -> JSONDict:
        return await self._send("sendSticker", {"chat_id": chat_id, "sticker": sticker})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> JSONDict:
        return await self._send("sendChatAction", {"chat_id": chat_id, "action": action})

    # -- plumbing ---------------------------------------------------------------------------
    async def _send(self, method: str, params: JSONDict) -> JSONDict:
        """A send: paced, and retried on 429, 5xx and connection errors."""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            await self._wait_turn()
            try:
                result: JSONDict = await self._call(method, params)
                return result
            except ZaloApiError as error:
                if error.error_code != 429 and error.error_code < 500:
                    raise
                if attempt == self.attempts:
                    raise
                wait = _retry_after(error) or delay
            except httpx.TransportError as error:
                if isinstance(error, httpx.ReadTimeout) or attempt == self.attempts:
                    raise  # it may have been sent: a late failure beats a duplicate
                wait = delay
            logger.info("Zalo %s: attempt %d failed, retrying in %.1fs", method, attempt, wait)
            await asyncio.sleep(min(wait, self.max_backoff))
            delay *= 2
        raise AssertionError("unreachable")

    async def _wait_turn(self) -> None:
        if self.min_interval <= 0:
            return
        async with self._pace:
            pause = self._last_send + self.min_interval - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            self._last_send = time.monotonic()

    async def _call(self, method: str, params: JSONDict, *, read_timeout: float = 10.0) -> Any:
        timeout = httpx.Timeout(10.0, read=read_timeout)
        response = await self._client.post(f"{self._url}/{method}", json=params, timeout=timeout)
        try:
            body = response.json()
        except ValueError:
            raise ZaloApiError(method, response.status_code, response.text[:200]) from None
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            code = int(body.get("error_code") or response.status_code)
            raise ZaloApiError(method, code, str(body.get("description", "")))
        return body.get("result")


def _retry_after(error: ZaloApiError) -> float | None:
    """`retry after N` in a 429's description, as Telegram-shaped APIs write it."""
    words = error.description.lower().split()
    if "after" in words:
        following = words[words.index("after") + 1 :]
        if following and following[0].isdigit():
            return float(following[0])
    return None
