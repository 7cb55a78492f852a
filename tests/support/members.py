"""Acting as a member of the test's organisation: find them by phone, send a text as them
through the shared dispatcher (`run_text`, no channel adapter), read their quota book."""

from __future__ import annotations

from commands.context import Reply, Services
from commands.registry import run_text
from tracker.models import Channel, Member, TargetKind


async def member(services: Services, phone: str) -> Member:
    """The member with this phone; the test's organisation must have them."""
    found = await services.repo.member_by_phone(phone)
    assert found is not None
    return found


async def say(
    services: Services,
    phone: str,
    text: str,
    channel: Channel = Channel.CONSOLE,
    *,
    key: str | None = None,
    group: int | None = None,
) -> Reply:
    """`text` sent by the member with this phone on `channel` (with the channel's message
    key, and from a group chat when `group` is given), and the reply."""
    return await run_text(services, await member(services, phone), text, channel, key, group)


async def reply_text(
    services: Services,
    phone: str,
    text: str,
    channel: Channel = Channel.CONSOLE,
    *,
    key: str | None = None,
) -> str:
    """`say`, for a test that reads only the reply's text."""
    return (await say(services, phone, text, channel, key=key)).text


async def quota_book(services: Services, phone: str, program: str = "TN") -> dict[str, int]:
    """The member's own quotas for `program`, period key to quota."""
    who = await member(services, phone)
    return dict((await services.repo.quota_books(TargetKind.MEMBER, who.id)).get(program, {}))
