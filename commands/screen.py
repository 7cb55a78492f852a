"""`/tv` (`/screen`): a lead's link to the unit's live board for the office TV.

`/tv` makes a new link (one per screen, so each can be revoked alone); `/tv tat` lists
the unit's open links and `/tv tat N` revokes link N. Whoever holds a link sees the
board with no login, so the token is long and random, only its hash is stored, and
every link made or revoked is in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets

from commands.context import Reply, Request
from tracker.errors import UserError
from tracker.models import Member
from tracker.periods import VIETNAM

TOKEN_BYTES = 24
"""192 random bits: no one finds a screen by trying."""
HINT_LENGTH = 4
OFF_WORDS = ("tat", "off")


def new_screen_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def screen_token_hash(token: str) -> str:
    """What storage keeps of a token, and looks a visiting page up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def screen_path(token: str) -> str:
    return f"/tv/{token}"


async def screen(request: Request, args: list[str], member: Member) -> Reply:
    if request.group_chat_id is not None:
        raise UserError("screen.private_only")  # a link is a key: not for a group's eyes
    if not args:
        return await _create(request, member)
    if args[0] not in OFF_WORDS:
        raise UserError("screen.usage")
    if len(args) == 1:
        return await _list(request, member)
    if len(args) > 2 or not args[1].lstrip("#").isdigit():
        raise UserError("screen.usage")
    return await _revoke(request, member, int(args[1].lstrip("#")))


async def _create(request: Request, member: Member) -> Reply:
    unit = await request.repo.unit(member.unit_id)
    token = new_screen_token()
    created = await request.repo.create_screen(
        unit.id, screen_token_hash(token), token[:HINT_LENGTH], member.id, request.now
    )
    url = request.services.public_base_url + screen_path(token)
    return Reply(request.t("screen.created", unit=unit.name, url=url, id=created.id))


async def _list(request: Request, member: Member) -> Reply:
    unit = await request.repo.unit(member.unit_id)
    screens = await request.repo.open_screens(unit.id)
    t = request.t
    if not screens:
        return Reply(t("screen.none", unit=unit.name))
    lines = [t("screen.list_title", unit=unit.name, n=len(screens))]
    lines += [
        t(
            "screen.list_line",
            id=found.id,
            hint=found.hint,
            at=found.created_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
        )
        for found in screens
    ]
    lines.append(t("screen.list_hint", id=screens[0].id))
    return Reply("\n".join(lines))


async def _revoke(request: Request, member: Member, screen_id: int) -> Reply:
    revoked = await request.repo.revoke_screen(screen_id, member.unit_id, member.id, request.now)
    if revoked is None:
        raise UserError("screen.unknown", id=screen_id)
    return Reply(request.t("screen.revoked", id=revoked.id, hint=revoked.hint))
