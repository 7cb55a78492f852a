"""A stand-in Zalo Bot API server: real HTTP on 127.0.0.1 for the bot's real Zalo client.

Modelled on `tests/support/botapi.py` (Telegram) and on what channels/ZALO.md records of
the platform: JSON methods under `/bot<TOKEN>/<method>`, answers `{"ok", "result"}` or
`{"ok": false, "error_code", "description"}`; getUpdates hands out one update per call
and answers 408 when none came in time; with a webhook set, updates are POSTed to it with
the secret in `X-Bot-Api-Secret-Token` instead, and getUpdates is refused. sendPhoto
fetches the photo from its URL, as Zalo's servers do, and keeps what it got.

Usage::

    async with ZaloApiServer() as zalo:
        client = ZaloBotClient(zalo.token, zalo.base_url)
        since = zalo.mark()
        zalo.push_text("u-lan", "/tiendo")
        reply = await zalo.wait_for("sendMessage", since=since)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.botapi import _Uvicorn

JSONDict = dict[str, Any]
DEFAULT_TOKEN = "1234567890:zalo-TEST-token"
BOT_INFO: JSONDict = {
    "id": "9000000000000000001", "account_name": "bot.bhxh", "display_name": "Bot BHXH",
}  # fmt: skip


@dataclass
class ZaloCall:
    """One request the bot made, what the server answered, and (sendPhoto) what it fetched."""

    method: str
    params: JSONDict
    result: Any = None
    error_code: int | None = None
    fetched_status: int | None = None
    fetched: bytes = b""


@dataclass
class Delivery:
    """One webhook delivery: the update, and how the bot's server answered."""

    update: JSONDict
    status: int


class _Fault(Exception):
    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(description)
        self.error_code, self.description = error_code, description


@dataclass
class ZaloApiServer:
    """In-process stand-in for bot-api.zaloplatforms.com; ``async with ZaloApiServer()``."""

    token: str = DEFAULT_TOKEN
    max_poll_timeout: float = 1.0
    port: int = 0
    """0: any free port (`base_url` tells which once it listens)."""
    base_url: str = ""
    calls: list[ZaloCall] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""

    def __post_init__(self) -> None:
        self._updates: list[JSONDict] = []
        self._message_ids = itertools.count(1)
        self._faults: dict[str, list[_Fault]] = {}
        self._calls_changed = asyncio.Event()
        self._updates_changed = asyncio.Event()
        self._closing = False
        self._server: _Uvicorn | None = None
        self._task: asyncio.Task[None] | None = None
        self._http = httpx.AsyncClient(timeout=10.0, trust_env=False)
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getme": lambda p: BOT_INFO,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": lambda p: {"url": self.webhook_url, "updated_at": 0},
            "sendmessage": self._send_message,
            "sendchataction": lambda p: self._require(p, "chat_id") and {},
            "sendsticker": lambda p: self._sent(p, sticker=self._require(p, "sticker")),
        }

    async def __aenter__(self) -> Self:
        routes = [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        config_kwargs: JSONDict = {
            "host": "127.0.0.1", "port": self.port, "log_level": "warning", "log_config": None,
            "lifespan": "off", "ws": "none", "http": "h11", "timeout_graceful_shutdown": 2,
        }  # fmt: skip
        import uvicorn

        self._server = _Uvicorn(uvicorn.Config(Starlette(routes=routes), **config_kwargs))
        self._task = asyncio.create_task(self._server.serve(), name="ZaloApiServer")
        ready = asyncio.create_task(self._server.ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await self._task
            raise RuntimeError("uvicorn exited during startup")
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._closing = True
        self._broadcast()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        await self._http.aclose()

    # -- test-facing API -------------------------------------------------------------------
    def text_update(
        self, sender: str, text: str, *, chat: str | None = None, message_id: str | None = None,
        name: str = "Người dùng",
    ) -> JSONDict:  # fmt: skip
        """A `message.text.received` update from `sender`, in a private chat unless `chat`."""
        message = {
            "message_id": message_id or f"m{next(self._message_ids)}",
            "from": {"id": sender, "display_name": name, "is_bot": False},
            "chat": {"id": chat or sender, "chat_type": "GROUP" if chat else "PRIVATE"},
            "date": int(time.time() * 1000),
            "text": text,
        }
        return {"event_name": "message.text.received", "message": message}

    def push(self, update: JSONDict) -> None:
        """Queue an update for getUpdates (no webhook set) or deliver it to the webhook."""
        if self.webhook_url:
            raise RuntimeError("a webhook is set: use `await deliver(update)`")
        self._updates.append(update)
        self._broadcast()

    def push_text(self, sender: str, text: str, **kwargs: Any) -> JSONDict:
        update = self.text_update(sender, text, **kwargs)
        self.push(update)
        return update

    async def deliver(self, update: JSONDict, *, secret: str | None = None) -> int:
        """POST `update` to the webhook as Zalo does; the bot's HTTP status comes back."""
        token = self.webhook_secret if secret is None else secret
        response = await self._http.post(
            self.webhook_url,
            json={"ok": True, "result": update},
            headers={"X-Bot-Api-Secret-Token": token} if token else {},
        )
        self.deliveries.append(Delivery(update, response.status_code))
        return response.status_code

    async def deliver_to_each(self, update: JSONDict, urls: list[str]) -> list[int]:
        """POST `update` to each of `urls` at once (a load balancer that delivered it to
        several bot processes), a non-2xx answer posted again (up to 20 times, 0.2 s
        apart) as a webhook sender does; the status each finally answered."""

        async def post(url: str) -> int:
            for _ in range(20):
                response = await self._http.post(
                    url,
                    json={"ok": True, "result": update},
                    headers={"X-Bot-Api-Secret-Token": self.webhook_secret},
                    timeout=60,
                )
                self.deliveries.append(Delivery(update, response.status_code))
                if response.status_code < 300:
                    break
                await asyncio.sleep(0.2)
            return response.status_code

        return list(await asyncio.gather(*(post(url) for url in urls)))

    def fail_next(self, method: str, error_code: int = 429, count: int = 1) -> None:
        description = "Too Many Requests: retry after 0" if error_code == 429 else "Error"
        faults = self._faults.setdefault(method.lower(), [])
        faults.extend([_Fault(error_code, description)] * count)

    def mark(self) -> int:
        return len(self.calls)

    def calls_of(self, method: str, since: int = 0) -> list[ZaloCall]:
        return [c for c in self.calls[since:] if c.method.lower() == method.lower()]

    def texts_to(self, chat_id: str, since: int = 0) -> list[str]:
        """Texts of successful sendMessage calls to `chat_id`, in order."""
        return [
            str(call.params["text"])
            for call in self.calls_of("sendMessage", since)
            if call.error_code is None and call.params.get("chat_id") == chat_id
        ]

    async def wait_for(
        self, method: str, predicate: Callable[[ZaloCall], bool] | None = None, *,
        since: int = 0, timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ZaloCall:  # fmt: skip
        """The first answered call of `method` at index >= `since` matching `predicate`."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for call in self.calls[since:]:
                        answered = call.result is not None or call.error_code is not None
                        if (
                            answered
                            and call.method.lower() == method.lower()
                            and (predicate is None or predicate(call))
                        ):
                            return call
                    await self._calls_changed.wait()
        except TimeoutError:
            seen = [c.method for c in self.calls[since:] if c.method != "getUpdates"]
            raise AssertionError(f"no {method} call within {timeout}s; saw {seen}") from None

    @property
    def pending(self) -> list[JSONDict]:
        return list(self._updates)

    # -- HTTP plumbing -----------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        body = await request.body()
        try:
            params = await request.json() if body else {}
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return JSONResponse({"ok": False, "error_code": 400, "description": "Bad Request"})
        call = ZaloCall(method, params)
        self.calls.append(call)
        self._notify()
        try:
            if faults := self._faults.get(method.lower()):
                raise faults.pop(0)
            if method.lower() == "getupdates":
                call.result = await self._get_updates(params)
            elif method.lower() == "sendphoto":
                call.result = await self._send_photo(params, call)
            else:
                handler = self._handlers.get(method.lower())
                if handler is None:
                    raise _Fault(404, "Not Found: method")
                call.result = handler(params)
            return JSONResponse({"ok": True, "result": call.result})
        except _Fault as fault:
            call.error_code = fault.error_code
            status = fault.error_code if fault.error_code in (429, 500, 502) else 200
            return JSONResponse(
                {"ok": False, "error_code": fault.error_code, "description": fault.description},
                status_code=status,
            )
        finally:
            self._notify()

    def _notify(self) -> None:
        self._calls_changed.set()
        self._calls_changed = asyncio.Event()

    def _broadcast(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    async def _get_updates(self, params: JSONDict) -> JSONDict:
        if self.webhook_url:
            raise _Fault(409, "Conflict: webhook is active")
        wait = min(float(params.get("timeout") or 0), self.max_poll_timeout)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while not self._updates and not self._closing:
                    await self._updates_changed.wait()
        if not self._updates:
            raise _Fault(408, "Request timeout")
        return self._updates.pop(0)

    @staticmethod
    def _require(params: JSONDict, name: str) -> Any:
        value = params.get(name)
        if value in (None, ""):
            raise _Fault(400, f"Bad Request: {name} is empty")
        return value

    def _sent(self, params: JSONDict, **content: Any) -> JSONDict:
        self._require(params, "chat_id")
        return {"message_id": f"out{next(self._message_ids)}", "date": int(time.time() * 1000)}

    def _send_message(self, params: JSONDict) -> JSONDict:
        text = str(self._require(params, "text"))
        if len(text) > 2000:
            raise _Fault(400, "Bad Request: text is longer than 2000 characters")
        return self._sent(params)

    async def _send_photo(self, params: JSONDict, call: ZaloCall) -> JSONDict:
        url = str(self._require(params, "photo"))
        response = await self._http.get(url)
        call.fetched_status, call.fetched = response.status_code, response.content
        if not response.is_success or not response.headers.get("content-type", "").startswith(
            "image/"
        ):
            raise _Fault(400, "Bad Request: photo could not be fetched")
        return self._sent(params)

    def _set_webhook(self, params: JSONDict) -> JSONDict:
        url, secret = str(self._require(params, "url")), str(self._require(params, "secret_token"))
        if not 8 <= len(secret) <= 256:
            raise _Fault(400, "Bad Request: secret_token must be 8 to 256 characters")
        if not url.startswith(("https://", "http://127.0.0.1")):
            raise _Fault(400, "Bad Request: url must be HTTPS")
        self.webhook_url, self.webhook_secret = url, secret
        return {"url": url, "updated_at": int(time.time() * 1000)}

    def _delete_webhook(self, params: JSONDict) -> JSONDict:
        self.webhook_url = self.webhook_secret = ""
        return {"url": "", "updated_at": int(time.time() * 1000)}
