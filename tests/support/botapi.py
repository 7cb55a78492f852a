"""A fake Telegram Bot API server: real HTTP on 127.0.0.1 for the real python-telegram-bot stack.

Usage::

    async with BotApiServer() as server:
        app = (Application.builder().token(server.token).base_url(server.base_url)
               .base_file_url(server.base_file_url).build())
        since = server.mark()
        server.push_update(text_update(user(42), "/start"))
        reply = await server.wait_for("sendMessage", since=since)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

JSONDict = dict[str, Any]
Files = dict[str, tuple[str, bytes]]  # form field -> (filename, content)
Handler = Callable[[JSONDict, Files], Any]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_USER: JSONDict = {
    "id": 123456, "is_bot": True, "first_name": "BHXH Test Bot", "username": "bhxh_test_bot",
    "can_join_groups": True, "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}  # fmt: skip

# Form values arrive as strings: these fields are JSON-decoded, those always stay strings.
_JSON_FIELDS = {
    "reply_markup", "commands", "scope", "allowed_updates", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "media", "results", "permissions", "options",
}  # fmt: skip
_STRING_FIELDS = {
    "text", "caption", "data", "callback_query_id", "inline_query_id", "url", "parse_mode",
    "action", "language_code", "secret_token", "file_id", "title", "description", "name",
    "short_description", "phone_number", "first_name", "last_name", "query", "emoji",
}  # fmt: skip
_JSONISH = re.compile(r"-?\d+|true|false|null|[\[{].*", re.DOTALL)
_ERRORS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    502: "Bad Gateway",
}
_GIFTS = dict.fromkeys(
    ["unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
     "gifts_from_channels"], False,
)  # fmt: skip
_CHAT_FULL_INFO = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _GIFTS}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


@dataclass
class ApiCall:
    """One request the bot made: decoded params, uploaded files, and what the server answered."""

    method: str
    params: JSONDict
    files: Files = field(default_factory=dict)
    result: Any = None
    error_code: int | None = None


class ApiError(Exception):
    """Raised by a method handler to answer with a Telegram error."""

    def __init__(self, error_code: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.error_code, self.description, self.parameters = error_code, description, parameters

    def response(self) -> JSONResponse:
        """The Bot API error answer."""
        body = {"ok": False, "error_code": self.error_code, "description": self.description}
        extra = {"parameters": self.parameters} if self.parameters else {}
        return JSONResponse(body | extra, status_code=self.error_code)


def _decode(name: str, value: str) -> Any:
    """Turn a form value back into the JSON value PTB encoded (strings stay strings)."""
    if name in _STRING_FIELDS or not (name in _JSON_FIELDS or _JSONISH.fullmatch(value)):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], Files]:
    """Minimal multipart/form-data parser (python-multipart is not a dependency)."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if boundary is None:
        raise ApiError(400, "Bad Request: malformed multipart body")
    fields: dict[str, str] = {}
    files: Files = {}
    for part in body.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, _, data = part.removeprefix(b"\r\n").removesuffix(b"\r\n").partition(b"\r\n\r\n")
        name = re.search(r';\s*name="([^"]*)"', head.decode("utf-8", "replace"))
        filename = re.search(r';\s*filename="([^"]*)"', head.decode("utf-8", "replace"))
        if name and filename:
            files[name.group(1)] = (filename.group(1), data)
        elif name:
            fields[name.group(1)] = data.decode()
    return fields, files


async def _parse_request(request: Request) -> tuple[JSONDict, Files]:
    """Decode the query string plus a urlencoded, multipart or JSON body."""
    raw: dict[str, str] = dict(request.query_params)
    files: Files = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json") and body:
        return {**raw, **json.loads(body)}, files
    if content_type.startswith("multipart/form-data"):
        fields, files = _parse_multipart(content_type, body)
        raw.update(fields)
    elif body:
        raw.update(parse_qsl(body.decode(), keep_blank_values=True))
    return {key: _decode(key, value) for key, value in raw.items()}, files


class _Uvicorn(uvicorn.Server):
    """uvicorn.Server that signals readiness and leaves the process's signal handlers alone."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    def capture_signals(self) -> contextlib.nullcontext[None]:  # type: ignore[override]
        return contextlib.nullcontext()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class BotApiServer:
    """In-process fake of api.telegram.org; use as ``async with BotApiServer() as server``."""

    def __init__(
        self, *, token: str = DEFAULT_TOKEN, max_poll_timeout: float = 1.0, port: int = 0
    ) -> None:
        """`port` 0 picks a free one; a fixed port plays a server that comes up late."""
        self.token, self.max_poll_timeout, self.port = token, max_poll_timeout, port
        self.base_url = self.base_file_url = ""  # set once the server listens
        self.bot_user: JSONDict = dict(BOT_USER)
        self.calls: list[ApiCall] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.webhook_url = ""
        self.webhooks: dict[str, str] = {}
        """Every webhook URL set so far, with its secret: behind a load balancer each
        process registers its own, and `post_to_webhooks` plays the balancer."""
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._updates: list[tuple[JSONDict, bool]] = []  # (update, forced redelivery)
        self._next_update_id = 1
        self._faults: dict[str, list[ApiError]] = {}
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._file_ids = itertools.count(1)
        self._calls_changed = asyncio.Event()
        self._updates_changed = asyncio.Event()
        self._closing = False
        self._server: _Uvicorn | None = None
        self._task: asyncio.Task[None] | None = None
        self._handlers: dict[str, Handler] = {
            "getme": lambda p, f: self.bot_user,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": lambda p, f: {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            },
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._set_my_commands,
            "getmycommands": lambda p, f: self.my_commands(p.get("scope"), p.get("language_code")),
            "sendmessage": lambda p, f: self._new_message(p, text=self._require(p, "text")),
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "editmessagetext": self._edit_message,
            "editmessagecaption": self._edit_message,
            "editmessagereplymarkup": self._edit_message,
            "answercallbackquery": lambda p, f: bool(self._require(p, "callback_query_id")),
            "sendchataction": lambda p, f: bool(self._chat(p) and self._require(p, "action")),
            "getchat": lambda p, f: self._chat(p) | _CHAT_FULL_INFO,
            "getfile": self._get_file,
        }

    async def __aenter__(self) -> Self:
        routes = [
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
        ]
        config = uvicorn.Config(
            Starlette(routes=routes), host="127.0.0.1", port=self.port, log_level="warning",
            log_config=None, lifespan="off", ws="none", http="h11", timeout_graceful_shutdown=2,
        )  # fmt: skip
        self._server = _Uvicorn(config)
        self._task = asyncio.create_task(self._server.serve(), name="BotApiServer")
        ready = asyncio.create_task(self._server.ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await self._task  # re-raises the startup failure, if any
            raise RuntimeError("uvicorn exited during startup")
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._closing = True
        self._broadcast_updates()  # release long polls so uvicorn can drain its connections
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    # -- test-facing API -------------------------------------------------------------------
    def push_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates, assigning the next update_id if it has none."""
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._next_update_id)
        return self._enqueue(update, force=False)

    def push_raw(self, update: JSONDict) -> int:
        """Queue an update verbatim; it is delivered once even if its id was already confirmed."""
        return self._enqueue(copy.deepcopy(update), force=True)

    async def post_to_webhooks(self, update: JSONDict, urls: list[str] | None = None) -> list[int]:
        """POST `update` (the next update_id if it has none) to every registered webhook
        at once, as Telegram would with a load balancer that delivered it twice; the
        status each answered. Like Telegram, a non-2xx answer is posted again (up to 20
        times, 0.2 s apart)."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1

        async def post(http: httpx.AsyncClient, url: str) -> int:
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhooks[url]}
            for _ in range(20):
                status = (await http.post(url, json=update, headers=headers)).status_code
                if status < 300:
                    break
                await asyncio.sleep(0.2)
            return status

        async with httpx.AsyncClient(timeout=60, trust_env=False) as http:
            targets = list(self.webhooks) if urls is None else urls
            return list(await asyncio.gather(*(post(http, url) for url in targets)))

    def fail_next(
        self, method: str, error_code: int = 429, retry_after: int = 1, count: int = 1,
        description: str | None = None,
    ) -> None:  # fmt: skip
        """Make the next ``count`` calls of ``method`` answer with a Telegram error."""
        default = _ERRORS.get(error_code, f"Error {error_code}").format(retry_after=retry_after)
        parameters = {"retry_after": retry_after} if error_code == 429 else None
        error = ApiError(error_code, description or default, parameters)
        self._faults.setdefault(method.lower(), []).extend([error] * count)

    def mark(self) -> int:
        """A cursor for ``wait_for(since=...)``: only calls recorded from now on count."""
        return len(self.calls)

    def calls_of(self, method: str) -> list[ApiCall]:
        """All recorded calls of one method (case-insensitive), in order."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[ApiCall]:
        """Successful sendMessage/sendPhoto/sendDocument calls, optionally for one chat."""
        methods = {"sendmessage", "sendphoto", "senddocument"}
        return [
            call for call in self.calls
            if call.method.lower() in methods and call.error_code is None
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]  # fmt: skip

    async def wait_for(
        self, method: str, predicate: Callable[[ApiCall], bool] | None = None, *,
        since: int = 0, timeout: float = 5.0, answered: bool = True,  # noqa: ASYNC109
    ) -> ApiCall:  # fmt: skip
        """The first call of ``method`` with index >= ``since`` matching ``predicate``.

        Waits for the server's answer (result or error_code set; failed calls count too),
        or with ``answered=False`` only for the request to arrive (e.g. a pending long poll).
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for call in self.calls[since:]:
                        if self._matches(call, method, answered) and (
                            predicate is None or predicate(call)
                        ):
                            return call
                    await self._calls_changed.wait()
        except TimeoutError:
            seen = [call.method for call in self.calls[since:] if call.method != "getUpdates"]
            raise AssertionError(f"no {method} call within {timeout}s; saw {seen}") from None

    @staticmethod
    def _matches(call: ApiCall, method: str, answered: bool) -> bool:
        done = call.result is not None or call.error_code is not None
        return (done or not answered) and call.method.lower() == method.lower()

    def my_commands(
        self, scope: JSONDict | None = None, language_code: str | None = None
    ) -> list[JSONDict]:
        """Commands set by setMyCommands for a scope (default scope) and language ("")."""
        return self._commands.get(self._command_key(scope, language_code), [])

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued but not yet confirmed by an offset."""
        return [update for update, _ in self._updates]

    # -- HTTP plumbing -----------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        try:
            params, files = await _parse_request(request)
        except (ApiError, ValueError) as exc:
            return (exc if isinstance(exc, ApiError) else ApiError(400, str(exc))).response()
        call = ApiCall(method, params, files)
        self.calls.append(call)
        self._notify_calls()
        try:
            if faults := self._faults.get(method.lower()):
                raise faults.pop(0)
            if method.lower() == "getupdates":
                call.result = await self._get_updates(params)
            else:
                handler = self._handlers.get(method.lower(), self._unknown)
                call.result = handler(params, files)
            return JSONResponse({"ok": True, "result": call.result})
        except (ValueError, TypeError) as exc:  # e.g. a non-numeric message_id
            call.error_code = 400
            return ApiError(400, f"Bad Request: {exc}").response()
        except ApiError as error:
            call.error_code = error.error_code
            return error.response()
        finally:
            self._notify_calls()

    def _notify_calls(self) -> None:
        self._calls_changed.set()
        self._calls_changed = asyncio.Event()

    async def _download(self, request: Request) -> Response:
        for path, content in self.files.values():
            if path == request.path_params["path"]:
                return Response(content, media_type="application/octet-stream")
        return ApiError(404, "Not Found").response()

    # -- updates -----------------------------------------------------------------------------
    def _enqueue(self, update: JSONDict, *, force: bool) -> int:
        update_id = int(update["update_id"])
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._learn(update)
        self._updates.append((update, force))
        self._updates.sort(key=lambda item: item[0]["update_id"])
        self._broadcast_updates()
        return update_id

    def _broadcast_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    def _learn(self, obj: Any) -> None:
        """Remember chats and messages seen in pushed updates (for getChat, ids and edits)."""
        if isinstance(obj, dict):
            chat, message_id = obj.get("chat"), obj.get("message_id")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                self._chats[chat["id"]] = chat
                if isinstance(message_id, int):
                    self._messages[(chat["id"], message_id)] = obj
                    last = self._last_message_id.get(chat["id"], 0)
                    self._last_message_id[chat["id"]] = max(last, message_id)
            obj = list(obj.values())
        if isinstance(obj, list):
            for item in obj:
                self._learn(item)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        allowed = set(params.get("allowed_updates") or ())
        if offset > 0:  # confirms every update below the offset
            self._updates = [(u, f) for u, f in self._updates if f or u["update_id"] >= offset]

        def ready() -> list[JSONDict]:
            items = self._updates[offset:] if offset < 0 else self._updates
            return [u for u, _ in items if not allowed or allowed & u.keys()]

        wait = min(float(params.get("timeout") or 0), self.max_poll_timeout)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while not ready() and not self._closing:
                    await self._updates_changed.wait()
        batch = ready()[:limit]
        delivered = {id(update) for update in batch}  # a forced redelivery happens only once
        self._updates = [(u, f and id(u) not in delivered) for u, f in self._updates]
        return batch

    # -- method handlers ---------------------------------------------------------------------
    @staticmethod
    def _unknown(params: JSONDict, files: Files) -> bool:
        return True  # any method we do not model: recorded, answered with True

    @staticmethod
    def _require(params: JSONDict, name: str) -> Any:
        value = params.get(name)
        if value in (None, "", [], {}):
            raise ApiError(400, f"Bad Request: {name} is empty")
        return value

    def _chat(self, params: JSONDict) -> JSONDict:
        chat_id = self._require(params, "chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id not in self._chats:
            kind = "private" if chat_id > 0 else "supergroup" if chat_id < -(10**12) else "group"
            names = {"first_name": f"User {chat_id}"} if kind == "private" else {"title": "Group"}
            self._chats[chat_id] = {"id": chat_id, "type": kind, **names}
        return self._chats[chat_id]

    def _new_message(self, params: JSONDict, **content: Any) -> JSONDict:
        chat = self._chat(params)
        message_id = self._last_message_id[chat["id"]] = (
            self._last_message_id.get(chat["id"], 0) + 1
        )
        message = {"message_id": message_id, "from": self.bot_user, "chat": chat,
                   "date": int(time.time()), **content}  # fmt: skip
        message.update(
            {k: params[k] for k in ("entities", "caption", "caption_entities") if params.get(k)}
        )
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        self._messages[(chat["id"], message_id)] = message
        return message

    def _file_param(self, params: JSONDict, files: Files, name: str, folder: str) -> JSONDict:
        """File JSON for an upload (kept for getFile) or for a passed file_id/URL."""
        if name in files:
            filename, content = files[name]
            file_id = f"FILE{next(self._file_ids):06d}"
            self.files[file_id] = (f"{folder}/{file_id}.{filename.rpartition('.')[2]}", content)
        else:
            file_id = self._require(params, name)
        size = len(self.files[file_id][1]) if file_id in self.files else 1024
        return {"file_id": file_id, "file_unique_id": f"U{file_id}"[-32:], "file_size": size}

    def _send_photo(self, params: JSONDict, files: Files) -> JSONDict:
        big = {**self._file_param(params, files, "photo", "photos"), "width": 800, "height": 600}
        small = {**big, "file_id": big["file_id"] + "-s", "width": 90, "height": 67}
        small.update(file_unique_id=big["file_unique_id"] + "s", file_size=big["file_size"] // 10)
        return self._new_message(params, photo=[small, big])

    def _send_document(self, params: JSONDict, files: Files) -> JSONDict:
        document = self._file_param(params, files, "document", "documents")
        if "document" in files:
            filename = files["document"][0]
            mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            document.update(file_name=filename, mime_type=mime)
        return self._new_message(params, document=document)

    def _edit_message(self, params: JSONDict, files: Files) -> JSONDict | bool:
        if params.get("inline_message_id"):
            return True
        key = (self._chat(params)["id"], int(self._require(params, "message_id")))
        if (old := self._messages.get(key)) is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if old.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        new = {k: v for k, v in old.items() if k not in ("reply_markup", "edit_date")}
        new.update({k: params[k] for k in ("text", "caption") if k in params})
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            new["reply_markup"] = markup
        if all(new.get(k) == old.get(k) for k in ("text", "caption", "reply_markup")):
            raise ApiError(400, _NOT_MODIFIED)
        self._messages[key] = {**new, "edit_date": int(time.time())}
        return self._messages[key]

    def _get_file(self, params: JSONDict, files: Files) -> JSONDict:
        file_id = self._require(params, "file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"U{file_id}"[-32:],
                "file_size": len(content), "file_path": path}  # fmt: skip

    def _delete_webhook(self, params: JSONDict, files: Files) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _set_webhook(self, params: JSONDict, files: Files) -> bool:
        self.webhook_url = self._require(params, "url")
        self.webhooks[self.webhook_url] = str(params.get("secret_token", ""))
        return True

    @staticmethod
    def _command_key(scope: JSONDict | None, language_code: str | None) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    def _set_my_commands(self, params: JSONDict, files: Files) -> bool:
        """setMyCommands, or deleteMyCommands when no commands are given."""
        key = self._command_key(params.get("scope"), params.get("language_code"))
        commands = params.get("commands")
        if commands is None:
            self._commands.pop(key, None)
        elif not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        else:
            self._commands[key] = commands
        return True
