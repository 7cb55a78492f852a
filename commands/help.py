"""`/trogiup` (`/help`) and `/start` for a linked member: what you can do, by role."""

from __future__ import annotations

from commands.context import Reply, Request
from tracker.models import Member


async def help_(request: Request, args: list[str], member: Member) -> Reply:
    """List the commands the caller's role may use."""
    from commands.registry import commands_for  # the registry imports this module

    t = request.t
    if request.t.plain:
        return Reply(t("help.keywords"))
    lines = [t("help.title")]
    lines += [
        t("help.line", name=command.name, alias=command.alias, about=t(command.help_key))
        for command in commands_for(member.role)
    ]
    return Reply("\n".join(lines))


async def start(request: Request, args: list[str], member: Member) -> Reply:
    """Greet a member who is already linked, then show help."""
    greeting = request.t("start.linked", name=member.name)
    listing = await help_(request, args, member)
    return Reply(f"{greeting}\n\n{listing.text}")
