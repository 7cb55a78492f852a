"""`python bot.py`: the HTTP front door whose lifespan runs every part of the process.

The wiring, in the order the parts open (and the reverse of how they close):

    database   required: without it nothing works, and /healthz answers 503
    process    this process's heartbeat in the database (channels.presence): other
               processes on the database tell by it whether this one is alive
    screens    the office TV's hub: one board per unit pushed to every open page
    sms        the Kannel sender for pushed SMS (when SMS_SENDSMS_URL is set)
    scheduler  summaries and reminders (APScheduler)
    telegram   when TELEGRAM_BOT_TOKEN is set; retried in the background while its
               server cannot be reached, SMS and the scheduler working meanwhile
    zalo       when ZALO_BOT_TOKEN is set; the same, with the /media links

A new chat channel is one more `Part(name, open, probe, retry=True)` in `chat_channels`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from starlette.applications import Starlette

from admin.config import Config
from channels.http import build_http_app, database_probe, telegram_part
from channels.parts import Part, Parts, RetryPolicy
from channels.presence import Presence
from channels.sms_sender import SmsNotices, open_sms_sender
from channels.telegram import TelegramApp, TelegramNotices, build_application
from channels.tv.part import screens_part
from channels.zalo_wiring import zalo_process_part
from commands.context import Services
from scheduling.service import run_schedules
from storage.backends import is_postgres, open_repository, shown
from tracker.models import Channel

logger = logging.getLogger(__name__)


def process_app(
    config: Config, clock: Callable[[], datetime], retry: RetryPolicy | None = None
) -> Starlette:
    """The app `serve_http` runs; nothing is opened until its lifespan starts."""
    settings = config.settings
    if settings.telegram_bot_token and settings.telegram_webhook_url:
        settings.require("telegram_webhook_secret")
    telegram = build_application(None, settings) if settings.telegram_bot_token else None
    if telegram is None:
        logger.warning("TELEGRAM_BOT_TOKEN is not set: Telegram is off")
    parts = Parts(retry)
    app = build_http_app(None, settings, parts=parts)
    app.state.telegram = telegram
    state = app.state
    state.runner = None

    @asynccontextmanager
    async def database() -> AsyncIterator[None]:
        repo = await open_repository(settings.database_url)
        try:
            repo.use_participant_secret(settings.participant_hash_secret)
            state.services = Services(
                repo,
                config.rules,
                clock,
                config.emulation,
                public_base_url=settings.screen_base_url,
            )
            if telegram is not None:
                telegram.bot_data["services"] = state.services
                state.services.notifier.register(Channel.TELEGRAM, TelegramNotices(telegram.bot))
            yield
        finally:
            await repo.close()

    async def database_alive() -> bool:
        services: Services | None = state.services
        return services is not None and await database_probe(services)()

    @asynccontextmanager
    async def sms() -> AsyncIterator[None]:
        services: Services = state.services
        async with open_sms_sender(settings, services.repo, clock) as sender:
            state.sms_sender = sender
            if sender is not None:  # notices to members without Telegram, or who use SMS
                services.notifier.register(Channel.SMS, SmsNotices(sender))
            try:
                yield
            finally:
                services.notifier.unregister(Channel.SMS)

    @asynccontextmanager
    async def scheduler() -> AsyncIterator[None]:
        bot = telegram.bot if telegram else None
        async with run_schedules(state.services, settings, bot, config.schedule) as runner:
            state.runner = runner
            yield

    presence = Presence(lambda: state.services, clock())

    async def about() -> dict[str, object]:
        url = settings.database_url
        backend = {"backend": "postgresql" if is_postgres(url) else "sqlite", "at": shown(url)}
        return {"database": backend, **await presence.describe()}

    state.about = about
    parts.add(Part("database", database, database_alive, required=True))
    parts.add(presence.part())
    parts.add(screens_part(state))
    if settings.sms_sendsms_url:
        parts.add(Part("sms", sms))
    parts.add(Part("scheduler", scheduler, lambda: state.runner.scheduled()))
    for channel in chat_channels(config, telegram):
        parts.add(channel)
    if settings.zalo_bot_token:
        parts.add(zalo_process_part(settings, state, telegram))
    return app


def chat_channels(config: Config, telegram: TelegramApp | None) -> list[Part]:
    """Every configured chat channel, each retried alone while its server is away."""
    channels = []
    if telegram is not None:
        channels.append(telegram_part(telegram, config.settings))
    return channels
