"""Builds the Zalo channel that `settings` describe, with its media links and notifier, and
runs it as a part of the process (channels.parts): long polling or the webhook, retried
in the background while Zalo's server cannot be reached."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.media import MediaLinks
from channels.parts import Part
from channels.sms_sender import SmsSender
from channels.telegram import TelegramApp
from channels.zalo import ZaloChannel
from channels.zalo_api import ZaloBotClient
from commands.context import GroupPost, Services
from commands.notices import Outcome, Result
from scheduling.zalo_out import ZaloOut
from settings import Settings
from tracker.models import Channel, Member

logger = logging.getLogger(__name__)

ZALO = "zalo"
"""The part's name in /healthz."""


def zalo_part(zalo: ZaloChannel, settings: Settings) -> Part:
    """Zalo as a part: its webhook registered, or long polling as a task of this loop."""

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        if settings.zalo_webhook_url:
            await zalo.client.set_webhook(
                settings.zalo_webhook_url, settings.require("zalo_webhook_secret")
            )
            logger.info("Zalo running (webhook)")
            yield
            return
        await zalo.client.delete_webhook()  # getUpdates is refused while a webhook is set
        polling = asyncio.create_task(zalo.poll(), name="zalo-polling")
        logger.info("Zalo running (long polling)")
        try:
            yield
        finally:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling

    return Part(ZALO, running, retry=True)


def zalo_process_part(settings: Settings, state: Any, telegram: TelegramApp | None) -> Part:
    """For `python bot.py`: the channel is built once the database and the SMS sender are
    open (`state.services`, `state.sms_sender`), and shown to the routes while it runs."""

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        sms_sender = getattr(state, "sms_sender", None)
        async with open_zalo(settings, state.services, telegram, sms_sender) as (zalo, media):
            assert zalo is not None
            async with zalo_part(zalo, settings).open():
                state.zalo, state.media = zalo, media
                runner = getattr(state, "runner", None)
                if runner is not None:  # summaries to Zalo groups while Zalo is up
                    runner.zalo = ZaloOut(zalo.client, media)
                state.services.notifier.register(
                    Channel.ZALO, ZaloNotices(state.services, zalo.client, media)
                )
                try:
                    yield
                finally:
                    state.services.notifier.unregister(Channel.ZALO)
                    state.zalo = state.media = None
                    if runner is not None:
                        runner.zalo = None

    return Part(ZALO, running, retry=True)


class ZaloNotices:
    """Notices by Zalo, to members who linked an account; charts by a `/media` link."""

    plain = False

    def __init__(
        self, services: Services, client: ZaloBotClient, media: MediaLinks | None = None
    ) -> None:
        self.services = services
        self.out = ZaloOut(client, media)

    async def reaches(self, member: Member) -> bool:
        return await self.services.repo.zalo_user_of(member.id) is not None

    async def send(self, member: Member, text: str) -> Result:
        user = await self.services.repo.zalo_user_of(member.id)
        if user is None:  # unlinked since it was planned
            return Result(Outcome.FAILED, "zalo", "no Zalo account linked")
        return await self.out.text(user, text)

    async def send_photo(self, member: Member, png: bytes, caption: str, filename: str) -> Result:
        user = await self.services.repo.zalo_user_of(member.id)
        if user is None:
            return Result(Outcome.FAILED, "zalo", "no Zalo account linked")
        return await self.out.photo(user, png, caption, filename)


@asynccontextmanager
async def open_zalo(
    settings: Settings,
    services: Services,
    telegram: TelegramApp | None,
    sms_sender: SmsSender | None,
) -> AsyncIterator[tuple[ZaloChannel | None, MediaLinks | None]]:
    """The Zalo channel (None without ZALO_BOT_TOKEN) and the /media links (None without
    PUBLIC_BASE_URL); the client is closed on the way out."""
    media = None
    if settings.public_base_url:
        media = MediaLinks(
            services.repo, settings.public_base_url, services.clock, settings.media_secret
        )
    if not settings.zalo_bot_token:
        yield None, media
        return
    if media is None:
        logger.warning("PUBLIC_BASE_URL is not set: Zalo cannot receive charts or exports")
    client = ZaloBotClient(settings.zalo_bot_token, settings.zalo_api_base_url)
    post_elsewhere = None
    if telegram is not None:
        bot = telegram.bot

        async def post_to_telegram(post: GroupPost) -> None:
            chat_id = await services.repo.nearest_group_chat(post.unit_id)
            if chat_id is not None:
                await bot.send_message(chat_id, post.text)

        post_elsewhere = post_to_telegram
    try:
        yield (
            ZaloChannel(
                services,
                client,
                media=media,
                sms_sender=sms_sender,
                post_elsewhere=post_elsewhere,
            ),
            media,
        )
    finally:
        await client.aclose()
