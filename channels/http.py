"""The bot's one HTTP front door (Starlette, served by uvicorn in the bot's event loop).

GET|POST /sms/inbound   Kannel's get-url/post-url: one SMS in, the reply SMS as the body
POST     /telegram      Telegram's webhook (webhook mode): the update is handled, once across
                        processes (channels.once), before the answer
POST     /zalo          Zalo's webhook (webhook mode): the same, its message id the claim
GET      /media/<token> a chart or export behind a signed, expiring link (channels/media.py)
GET      /healthz       each part of the process and its state; 503 when the database is gone;
                        under `python bot.py` also the database, this process (pid, start)
                        and the processes alive on the database
GET      /tv/...        the office TV: a unit's live board (see `channels.tv.routes`)

As in python-telegram-bot's `customwebhookbot/starlettebot.py`, the PTB application
shares the event loop: the app's lifespan starts it (long polling, or the webhook when
TELEGRAM_WEBHOOK_URL is set) with the other parts (channels.parts) and stops it again.
"""

from __future__ import annotations

import hmac
import json
import logging
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from channels.media import MediaLinks
from channels.once import Handled, handle_once
from channels.parts import Part, Parts, PartState, Probe, probe_only
from channels.sms import GroupPoster, StillHandled, answer_sms, read_inbound
from channels.sms_sender import SmsSender
from channels.telegram import TelegramApp, start_telegram, stop_telegram
from channels.tv.hub import ScreenHub
from channels.tv.part import screens_part
from channels.tv.routes import screen_routes
from channels.zalo import ZaloChannel
from channels.zalo_api import parse_update
from channels.zalo_wiring import ZALO, zalo_part
from commands.context import GroupPost, Services
from settings import Settings

logger = logging.getLogger(__name__)

TELEGRAM = "telegram"
GRACEFUL_SHUTDOWN = 5


@dataclass(frozen=True)
class HealthCheck:
    """A part opened by the caller that /healthz should name: `probe` returns (or awaits
    to) True when all is well."""

    name: str
    probe: Probe


def build_http_app(
    services: Services | None,
    settings: Settings,
    telegram_app: TelegramApp | None = None,
    *,
    health_checks: Iterable[HealthCheck] = (),
    sms_sender: SmsSender | None = None,
    parts: Parts | None = None,
    zalo: ZaloChannel | None = None,
    media: MediaLinks | None = None,
) -> Starlette:
    """The Starlette app. Its lifespan runs `app.state.parts`: with `services` given (opened
    by the caller), the database is named there; with `telegram_app`, Telegram is a part
    retried in the background until its server answers. `python bot.py` passes no
    services and registers every part itself (channels.process)."""
    if telegram_app is not None and settings.telegram_webhook_url:
        settings.require("telegram_webhook_secret")  # now and loudly, not in the lifespan
    app = Starlette(
        routes=[
            Route("/sms/inbound", sms_inbound, methods=["GET", "POST"]),
            Route("/telegram", telegram_webhook, methods=["POST"]),
            Route("/zalo", zalo_webhook, methods=["POST"]),
            Route("/media/{token}", media_link, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            *screen_routes(),
        ],
        lifespan=_lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    app.state.telegram = telegram_app
    app.state.sms_sender = sms_sender
    """The outbound SmsSender (or None), for jobs that push SMS."""
    app.state.screen_hub = None
    app.state.parts = parts or Parts()
    if services is not None:
        app.state.parts.add(probe_only("database", database_probe(services), required=True))
        app.state.parts.add(screens_part(app.state))
    for check in health_checks:
        app.state.parts.add(probe_only(check.name, check.probe))
    if telegram_app is not None:
        app.state.parts.add(telegram_part(telegram_app, settings))
    app.state.zalo = zalo
    """The Zalo channel while its part is up (channels.zalo_wiring), else None."""
    app.state.media = media
    if zalo is not None:
        app.state.parts.add(zalo_part(zalo, settings))
    return app


def telegram_part(telegram: TelegramApp, settings: Settings) -> Part:
    """Telegram as a part: started by long polling or webhook, retried while its server
    cannot be reached (or refuses setMyCommands) and the rest of the bot works on."""

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        webhook_url = settings.telegram_webhook_url
        try:
            await start_telegram(telegram, polling=not webhook_url)
            if webhook_url:
                await telegram.bot.set_webhook(
                    webhook_url,
                    secret_token=settings.require("telegram_webhook_secret"),
                    allowed_updates=Update.ALL_TYPES,
                )
            logger.info("Telegram running (%s)", "webhook" if webhook_url else "long polling")
            yield
        finally:
            await stop_telegram(telegram)

    return Part(TELEGRAM, running, retry=True)


async def serve_http(app: Starlette, settings: Settings) -> None:
    """Serve `app` on HTTP_HOST:HTTP_PORT until SIGINT or SIGTERM, then return."""
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,  # get-url calls carry the inbound secret and people's numbers
        lifespan="on",
        # After SIGTERM, a connection still open this many seconds later is cut: a
        # client that never lets go must not keep the bot from stopping.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )
    logger.info("HTTP on %s:%d", settings.http_host, settings.http_port)
    server = _Server(config)
    server.on_exit = lambda: _end_streams(app)
    await server.serve()


def _end_streams(app: Starlette) -> None:
    """Open TV streams never end by themselves: end them when the server is asked to
    stop, or uvicorn would wait for them forever before shutting down."""
    hub: ScreenHub | None = app.state.screen_hub
    if hub is not None:
        hub.close_all()


class _Server(uvicorn.Server):
    """uvicorn whose SIGINT/SIGTERM end `serve()` and nothing more, so the caller's own
    cleanup (closing the database) runs; plain uvicorn re-raises the signal afterwards."""

    on_exit: Callable[[], None] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.on_exit is not None:
            self.on_exit()
        super().handle_exit(sig, frame)

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open every part with the server and close them after (channels.parts)."""
    settings: Settings = app.state.settings
    if settings.sms_inbound_secret is None:
        logger.warning("SMS_INBOUND_SECRET is not set: /sms/inbound refuses every call")
    parts: Parts = app.state.parts
    async with parts.running():
        yield


def _same(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; nothing matches a secret that was never configured."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


async def sms_inbound(request: Request) -> Response:
    """One SMS from Kannel: 403 without the secret; the body is the reply ('' for none)."""
    settings: Settings = request.app.state.settings
    given = request.query_params.get("secret") or request.headers.get("x-sms-secret")
    twice = len(request.query_params.getlist("secret")) > 1  # which one was meant?
    if twice or not _same(given, settings.sms_inbound_secret):
        return PlainTextResponse("forbidden", status_code=403)
    sms = await read_inbound(request)
    if sms is None:
        return PlainTextResponse(
            "not an SMS: no sender, a parameter twice, or too long", status_code=400
        )
    assert settings.sms_inbound_secret is not None  # checked by _same
    try:
        reply = await answer_sms(
            request.app.state.services,
            sms,
            hash_key=settings.sms_inbound_secret,
            post_to_group=_group_poster(
                request.app.state.telegram, request.app.state.services, request.app.state.zalo
            ),
        )
    except StillHandled:
        return PlainTextResponse("being handled by another process", status_code=503)
    return PlainTextResponse(reply)


async def telegram_webhook(request: Request) -> Response:
    """An update from Telegram: checked against the webhook secret, then queued for PTB."""
    telegram: TelegramApp | None = request.app.state.telegram
    settings: Settings = request.app.state.settings
    given = request.headers.get("x-telegram-bot-api-secret-token")
    if telegram is None or not settings.telegram_webhook_url:
        return PlainTextResponse("webhook mode is off", status_code=404)
    if request.app.state.parts.state(TELEGRAM) is not PartState.UP:
        return PlainTextResponse("Telegram is starting", status_code=503)  # Telegram retries
    if not _same(given, settings.telegram_webhook_secret):
        return PlainTextResponse("forbidden", status_code=403)
    try:
        data = json.loads(await request.body())
        update = Update.de_json(data, telegram.bot) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError):
        update = None
    if update is None:
        return PlainTextResponse("not an update", status_code=400)

    async def handle() -> None:
        # Handled before answering, in PTB's update processor (one chat in order): a
        # process killed meanwhile never said 200, so Telegram delivers it again.
        await telegram.update_processor.process_update(update, telegram.process_update(update))

    once = await handle_once(request.app.state.services, f"tg:{update.update_id}", handle)
    if once.handled is Handled.BUSY:
        return PlainTextResponse("being handled by another process", status_code=503)
    return Response(status_code=200)


async def zalo_webhook(request: Request) -> Response:
    """An update from Zalo: checked against the webhook secret, handled, then 200."""
    zalo: ZaloChannel | None = request.app.state.zalo
    settings: Settings = request.app.state.settings
    if not settings.zalo_bot_token or not settings.zalo_webhook_url:
        return PlainTextResponse("webhook mode is off", status_code=404)
    if zalo is None or request.app.state.parts.state(ZALO) is not PartState.UP:
        return PlainTextResponse("Zalo is starting", status_code=503)  # Zalo delivers again
    given = request.headers.get("x-bot-api-secret-token")
    if not _same(given, settings.zalo_webhook_secret):
        return PlainTextResponse("forbidden", status_code=403)
    try:
        update = parse_update(json.loads(await request.body()))
    except ValueError:
        update = None
    if update is None:
        return PlainTextResponse("not an update", status_code=400)
    handled = await zalo.handle_claimed(update)  # once across processes (channels.once)
    if handled is None:
        return PlainTextResponse("failed", status_code=500)  # Zalo delivers it again
    if handled is Handled.BUSY:
        return PlainTextResponse("being handled by another process", status_code=503)
    return Response(status_code=200)


async def media_link(request: Request) -> Response:
    """A chart or export by its signed link (404 when no links are served)."""
    media: MediaLinks | None = request.app.state.media
    if media is None:
        return PlainTextResponse("not found", status_code=404)
    return await media.serve(request)


async def healthz(request: Request) -> JSONResponse:
    """Each part and its state; 503 only when a required part (the database) is not up."""
    parts: Parts = request.app.state.parts
    serving, states = await parts.report()
    status = "ok" if all(state == PartState.UP for state in states.values()) else "degraded"
    about: dict[str, object] = {}
    describe: About | None = getattr(request.app.state, "about", None)
    if describe is not None and serving:  # the database, this process, its peers
        try:
            about = await describe()
        except Exception:
            logger.exception("/healthz could not describe the process")
    return JSONResponse(
        {"status": status if serving else "failing", "parts": states, **about},
        status_code=200 if serving else 503,
    )


About = Callable[[], Awaitable[dict[str, object]]]
"""`app.state.about` (set by channels.process): what /healthz adds beside the parts."""


def database_probe(services: Services) -> Callable[[], Awaitable[bool]]:
    async def database() -> bool:
        await services.repo.count_members()  # a real query on the reader connection
        return True

    return database


def _group_poster(
    telegram: TelegramApp | None, services: Services, zalo: ZaloChannel | None = None
) -> GroupPoster | None:
    """Posts an SMS command's group messages (a celebration) to the unit's Zalo group, or
    else its Telegram group."""
    if telegram is None and zalo is None:
        return None

    async def post(group_post: GroupPost) -> None:
        if zalo is not None:
            zalo_chat = await services.repo.nearest_zalo_group(group_post.unit_id)
            if zalo_chat is not None:
                await zalo.client.send_message(zalo_chat, group_post.text)
                return
        chat_id = await services.repo.nearest_group_chat(group_post.unit_id)
        if chat_id is not None and telegram is not None:
            await telegram.bot.send_message(chat_id, group_post.text)

    return post
