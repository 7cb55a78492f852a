"""Questions the bot asks back: "confirm this change?", "which did you mean?".

The question is stored as a pending choice (`storage.choices_repository`) for the member
and channel, so the answer may reach any bot process. The answer is a button, `CO`/`y`
(`/xacnhan`), `KHONG`/`n` (`/boqua`), or the number of an option; the picked command then
runs as if typed, marked as confirmed when the question was a confirmation.
"""

from __future__ import annotations

from datetime import timedelta

from commands.context import Button, Reply, Request
from commands.grammar import natural
from storage.choices_repository import PendingChoice
from tracker.errors import UserError
from tracker.models import Member

CHOICE_LIFETIME = timedelta(minutes=30)
"""Long enough to answer from a basic phone; short enough that a stale "CO" does nothing."""

YES_WORDS = ("xacnhan", "co", "y", "yes", "ok", "dongy")
NO_WORDS = ("boqua", "khong", "n", "no", "cancel")


async def ask_to_confirm(request: Request, command: str, question: str) -> Reply:
    """Hold `command` until the member confirms it; the reply says how to."""
    return await offer(request, [command], question, confirms=True)


async def offer(request: Request, options: list[str], question: str, *, confirms: bool) -> Reply:
    """Store the options and ask: one option is a yes/no question, several a numbered list."""
    member = request.member
    if member is None:
        raise ValueError("a question needs a linked member")
    choice = PendingChoice(tuple(options), confirms, request.now + CHOICE_LIFETIME)
    await request.repo.offer_choice(member.id, request.channel, choice, request.now)
    t = request.t
    how = t(f"choice.how.{request.channel.value}")
    reply = Reply(f"{question}\n{how}")
    if not t.plain:
        reply.buttons.append(
            [Button(t("choice.yes"), "/xacnhan"), Button(t("choice.no"), "/boqua")]
        )
    return reply


async def picked(request: Request, args: list[str], member: Member) -> tuple[str, bool]:
    """The command the member's answer picks, and whether it runs as confirmed."""
    choice = await request.repo.take_choice(member.id, request.channel, request.now)
    # A wall of digits picks nothing (and int() of one would raise).
    number = (natural(args[0], 999) or 0) if args and args[0].isdigit() else 1
    if choice is None:  # a lone number with no question open is not an answer
        raise UserError("error.unknown_command" if args else "choice.nothing")
    if not 1 <= number <= len(choice.options):
        await request.repo.offer_choice(member.id, request.channel, choice, request.now)
        raise UserError("choice.bad_number", given=str(number), n=len(choice.options))
    return choice.options[number - 1], choice.confirms


async def cancel(request: Request, args: list[str], member: Member) -> Reply:
    """Drop the open question: nothing changes."""
    choice = await request.repo.take_choice(member.id, request.channel, request.now)
    return Reply(request.t("choice.cancelled" if choice else "choice.nothing"))
