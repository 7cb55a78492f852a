"""The Zalo channel: updates in (long polling or the `/zalo` webhook), replies out.

A thin adapter like the Telegram one: who the sender is comes from `zalo_links` (linked
by a code, see commands/zalo_link.py); what they typed goes to `run_text`; the reply
becomes Zalo calls. Zalo has no buttons, documents or contact sharing, so:

- buttons become a numbered list, kept in `pending_choices`; the number typed back runs
  the button's command;
- pictures go out by sendPhoto with a signed, expiring link to our own `/media/...`;
- files become a single-use download link, sent to the member who asked, privately.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx

from channels.media import CHART_TTL, EXPORT_TTL, MediaLinks
from channels.once import Handled, handle_once
from channels.sms import GroupPoster
from channels.sms_sender import SmsSender
from channels.zalo_api import ZaloApiError, ZaloBotClient, ZaloUpdate
from commands.context import Reply, Services
from commands.notices import deliver_notices
from commands.registry import run_text
from commands.zalo_link import link_stranger
from locales import Translator
from storage.zalo_repository import MediaFile
from tracker.models import Channel, Member
from tracker.periods import VIETNAM
from tracker.text import RedactingFilter, redact

logger = logging.getLogger(__name__)
logger.addFilter(RedactingFilter())

CHOICE_TTL = timedelta(minutes=30)
"""A numbered list answers for this long; after it a bare number means nothing."""
POLL_WAIT = 30
"""Seconds one getUpdates waits for an update."""


class ZaloChannel:
    """Handles Zalo updates for `services`, answering through `client`."""

    def __init__(
        self,
        services: Services,
        client: ZaloBotClient,
        *,
        media: MediaLinks | None = None,
        sms_sender: SmsSender | None = None,
        post_elsewhere: GroupPoster | None = None,
    ) -> None:
        self.services, self.client, self.media = services, client, media
        self.sms_sender = sms_sender
        self.post_elsewhere = post_elsewhere
        """Group posts for units without a Zalo group (their Telegram group)."""

    async def handle(self, update: ZaloUpdate) -> None:
        """One update: a linked member's command, or the next step of linking."""
        message, text = update.message, update.text
        if message is None or text is None:
            return  # stickers, pictures, follows: nothing to answer
        repo = self.services.repo
        member = await repo.member_by_zalo(message.sender_id)
        if member is None:
            if not message.is_group:  # strangers in a group are ignored, not answered
                reply = await link_stranger(
                    self.services, message.sender_id, text, self._sms if self.sms_sender else None
                )
                await self.client.send_message(message.chat_id, reply.text)
            return
        source_key = f"zalo:{message.message_id}"
        now = self.services.clock()
        if text.strip().isdigit():
            chosen = await repo.take_numbered(
                member.id, int(text.strip()), source_key, now - CHOICE_TTL
            )
            text = chosen or text
        reply = await run_text(
            self.services,
            member,
            text,
            Channel.ZALO,
            source_key,
            group_chat_id=message.chat_id if message.is_group else None,
        )
        await self.send_reply(message.chat_id, reply, member, private_chat=message.sender_id)

    async def send_reply(
        self, chat_id: str, reply: Reply, member: Member, private_chat: str
    ) -> None:
        """Text with its choices numbered, then pictures and links, then group posts."""
        t = Translator(member.language, numbered=True)
        text = reply.text
        choices = [button for row in reply.buttons for button in row]
        if choices:
            lines = [t("zalo.choice_line", n=n, label=b.label) for n, b in enumerate(choices, 1)]
            text = "\n".join([text, *lines, t("zalo.choose_number")])
            await self.services.repo.offer_numbered(
                member.id, [b.command for b in choices], self.services.clock()
            )
        await self.client.send_message(chat_id, text)
        for attachment in reply.attachments:
            file = MediaFile(attachment.filename, attachment.content)
            if self.media is None:
                await self.client.send_message(chat_id, t("zalo.no_media"))
            elif attachment.is_image:
                await self.client.send_photo(chat_id, await self.media.publish(file, CHART_TTL))
            else:  # a report: only for the member who asked, never into a group
                url = await self.media.publish(file, EXPORT_TTL, single_use=True)
                until = (self.services.clock() + EXPORT_TTL).astimezone(VIETNAM)
                await self.client.send_message(
                    private_chat,
                    t("zalo.download", name=file.filename, url=url, until=until.strftime("%H:%M")),
                )
        for post in reply.group_posts:
            group = await self.services.repo.nearest_zalo_group(post.unit_id)
            if group is not None:
                await self.client.send_message(group, post.text)
            elif self.post_elsewhere is not None:
                await self.post_elsewhere(post)
        await deliver_notices(self.services, reply.direct_messages)

    async def _sms(self, phone: str, text: str) -> bool:
        assert self.sms_sender is not None
        return (await self.sms_sender.send(phone, text)).ok

    async def poll(self) -> None:
        """Long polling until cancelled; a failing poll waits longer each time (to 60 s)."""
        pause = 1.0
        while True:
            try:
                updates = await self.client.get_updates(POLL_WAIT)
            except (ZaloApiError, httpx.TransportError) as error:
                logger.warning("Zalo getUpdates failed (%s); again in %.0fs", error, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            pause = 1.0
            for update in updates:
                await self.handle_safely(update)

    async def handle_claimed(self, update: ZaloUpdate) -> Handled | None:
        """For the webhook, where any process may get any event (and get it again): `handle`
        once across processes, the message id being the claim (channels.once); None when
        handling failed (logged, the claim dropped: Zalo's next delivery handles it)."""
        if update.message is None:  # nothing is answered or stored for it
            return Handled.NOW if await self.handle_safely(update) else None

        async def work() -> None:
            await self.handle(update)

        try:
            once = await handle_once(self.services, f"zalo:{update.message.message_id}", work)
        except Exception:
            logger.exception("Zalo update failed: %s", redact(repr(update)))
            return None
        return once.handled

    async def handle_safely(self, update: ZaloUpdate) -> bool:
        """`handle`, logging what fails instead of raising: one bad update stops nothing."""
        try:
            await self.handle(update)
        except Exception:
            logger.exception("Zalo update failed: %s", redact(repr(update)))
            return False
        return True
