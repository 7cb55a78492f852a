"""`/ngonngu vi|en` (`/lang`): the language replies come in."""

from __future__ import annotations

from dataclasses import replace

from commands.context import Reply, Request
from locales import LANGUAGES
from tracker.errors import UserError
from tracker.models import Member


async def language(request: Request, args: list[str], member: Member) -> Reply:
    """Switch replies to Vietnamese or English."""
    chosen = args[0] if args else ""
    if chosen not in LANGUAGES:
        raise UserError("language.usage")
    await request.repo.set_language(member.id, chosen)
    return Reply(replace(request.t, language=chosen)("language.done"))
