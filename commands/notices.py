"""Notices: a message for a member other than the one who wrote, on the channel they use.

A notice is said in the core's terms (who, a message key, its values); it is worded at
delivery, in the reader's language and in the form their channel carries (plain ASCII
for SMS). Channels register a sender each (Telegram, SMS, later Zalo) with the
`Notifier`; a notice tries the channel its reader last wrote from first, then the
others in the order they registered. When none reaches them, the member named in
`tell_if_undelivered` (the lead who caused it) is told so.

Every send answers with an `Outcome`, so the scheduler's reminders and private summaries
go through the same senders and keep their exactly-once rules: only a message a channel
refused for good (`FAILED`) is tried on the next channel; one that may have been shown
(`UNKNOWN`) never is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from commands.render import program_name
from locales import Translator
from tracker.models import Channel, Member, Program

if TYPE_CHECKING:
    from commands.context import DirectMessage, Services

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    """Not handed over (a flood-wait, the server away): trying again cannot show it twice."""
    FAILED = "failed"
    """Refused for good (blocked, chat not found, a 4xx)."""
    UNKNOWN = "unknown"
    """A timeout after the request left: it may have been shown, so never again."""
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    channel: str | None = None
    detail: str = ""
    wait: float = 0.0
    """For RETRY: how long the server asked us to wait (flood control), in seconds."""


class NoticeSender(Protocol):
    """One channel's way to reach a member privately."""

    plain: bool
    """The channel carries plain ASCII only (SMS)."""

    async def reaches(self, member: Member) -> bool:
        """Whether this channel knows how to reach `member` (a linked account, a phone)."""
        ...

    async def send(self, member: Member, text: str) -> Result:
        """Send `text` to the member's private chat."""
        ...

    async def send_photo(self, member: Member, png: bytes, caption: str, filename: str) -> Result:
        """A chart with its caption (a channel without pictures sends the caption)."""
        ...


class Notifier:
    """The registry of channel senders, one per channel; empty until channels start."""

    def __init__(self) -> None:
        self._senders: dict[Channel, NoticeSender] = {}
        self.noted_channels: dict[int, Channel] = {}
        """The last channel this process recorded per member (`note_channel`)."""

    def register(self, channel: Channel, sender: NoticeSender) -> None:
        self._senders[channel] = sender

    def unregister(self, channel: Channel) -> None:
        self._senders.pop(channel, None)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(self._senders)

    def senders_for(self, first: Channel | None) -> list[tuple[Channel, NoticeSender]]:
        """The senders in the order to try: `first` (the member's last channel), then the
        rest, SMS last (it costs money and carries the least)."""
        return sorted(self._senders.items(), key=lambda item: (item[0] != first, item[1].plain))


def worded(notice: DirectMessage, language: str, *, plain: bool = False) -> str:
    """The notice in its reader's language (plain ASCII for SMS). A program among its
    values is named as its reader's channel names it (`commands.render.program_name`):
    `BHXH tự nguyện`, or `TN` in an SMS."""
    t = Translator(language, plain=plain)
    params = {
        name: program_name(t, value) if isinstance(value, Program) else value
        for name, value in notice.params.items()
    }
    return t(notice.key, **params)


async def deliver_notices(services: Services, notices: Iterable[DirectMessage]) -> None:
    """Deliver each notice; never raises (a failing channel is logged and the next tried)."""
    for notice in notices:
        try:
            delivered = await deliver(services, notice)
            if not delivered and notice.tell_if_undelivered not in (None, notice.member_id):
                await _tell_undelivered(services, notice)
        except Exception:
            logger.exception("notice failed: member=%s key=%s", notice.member_id, notice.key)


async def deliver(services: Services, notice: DirectMessage) -> bool:
    """True when a channel accepted the notice for its member."""
    notifier = services.notifier
    if not notifier.channels:
        return False
    member = await services.repo.member(notice.member_id)
    last = await services.repo.last_channel(member.id)
    for channel, sender in notifier.senders_for(last):
        if not await sender.reaches(member):
            continue
        text = worded(notice, member.language, plain=sender.plain)
        try:
            result = await sender.send(member, text)
        except Exception:
            logger.exception("notice by %s failed: member=%s", channel, member.id)
            continue
        if result.outcome in (Outcome.SENT, Outcome.UNKNOWN):  # UNKNOWN: never twice
            return True
        logger.warning("notice by %s: %s %s", channel, result.outcome, result.detail)
    logger.warning("notice undelivered: member=%s key=%s", member.id, notice.key)
    return False


async def _tell_undelivered(services: Services, notice: DirectMessage) -> None:
    from commands.context import DirectMessage

    assert notice.tell_if_undelivered is not None
    member = await services.repo.member(notice.member_id)
    told = DirectMessage(
        notice.tell_if_undelivered,
        "notice.undelivered",
        {"name": member.name, "phone": member.phone},
    )
    await deliver(services, told)
