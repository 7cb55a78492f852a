"""The bot's Zalo channel, running for a test against the stand-in Zalo Bot API server.

`running_zalo(services)` serves the bot's real HTTP front door on 127.0.0.1 with the
Zalo channel in it (long polling by default, or the `/zalo` webhook with a secret), the
real `ZaloBotClient` talking HTTP to `ZaloApiServer`, and `/media` links under the
front door's own address.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from channels.http import build_http_app
from channels.media import MediaLinks
from channels.sms_sender import SmsNotices, SmsSender
from channels.zalo import ZaloChannel
from channels.zalo_api import ZaloBotClient
from channels.zalo_wiring import ZaloNotices
from commands.context import Services
from settings import Settings
from tests.support.net import free_port, serve_asgi
from tests.support.zaloapi import ZaloApiServer, ZaloCall
from tracker.models import Channel

WEBHOOK_SECRET = "zalo-hook_S3cret"
MEDIA_SECRET = "media-test-key"


@dataclass
class ZaloBot:
    server: ZaloApiServer
    channel: ZaloChannel
    url: str
    """The bot's HTTP front door."""

    async def say(self, sender: str, text: str, *, chat: str | None = None) -> str:
        """Send `text` as `sender`; the bot's first message back to that chat."""
        return (await self.exchange(sender, text, chat=chat)).params["text"]

    async def exchange(self, sender: str, text: str, *, chat: str | None = None) -> ZaloCall:
        since = self.server.mark()
        update = self.server.text_update(sender, text, chat=chat)
        if self.server.webhook_url:
            await self.server.deliver(update)
        else:
            self.server.push(update)
        return await self.server.wait_for(
            "sendMessage", lambda call: call.params["chat_id"] == (chat or sender), since=since
        )


def code_in(text: str) -> str:
    """The 6-digit code in an SMS or a lead's reply."""
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)


@asynccontextmanager
async def running_zalo(
    services: Services,
    *,
    webhook: bool = False,
    sms_sender: SmsSender | None = None,
    sms_inbound_secret: str | None = None,
) -> AsyncIterator[ZaloBot]:
    async with ZaloApiServer() as server:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        settings = Settings(
            zalo_bot_token=server.token,
            zalo_api_base_url=server.base_url,
            zalo_webhook_url=f"{base}/zalo" if webhook else None,
            zalo_webhook_secret=WEBHOOK_SECRET if webhook else None,
            public_base_url=base,
            sms_inbound_secret=sms_inbound_secret,
        )
        async with ZaloBotClient(server.token, server.base_url, backoff=0.01) as client:
            media = MediaLinks(services.repo, base, services.clock, MEDIA_SECRET)
            services.notifier.register(Channel.ZALO, ZaloNotices(services, client, media))
            if sms_sender is not None:
                services.notifier.register(Channel.SMS, SmsNotices(sms_sender))
            channel = ZaloChannel(services, client, media=media, sms_sender=sms_sender)
            app = build_http_app(services, settings, zalo=channel, media=media)
            async with serve_asgi(app, port=port) as url:
                yield ZaloBot(server, channel, url)
