"""Every command once: its Vietnamese name, English alias, handler and who may use it.

Channels never route by themselves: they hand the text to `dispatch`, which also
understands the SMS shorthand (`TN 2`, `TD Q`, `HUY`, `HD`) in any channel.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from commands.audit import audit
from commands.badges import badges
from commands.chart import chart
from commands.choice import NO_WORDS, YES_WORDS, cancel, picked
from commands.context import Reply, Request, Services
from commands.dossier import dossier
from commands.due import due
from commands.emulation import emulation
from commands.export import export
from commands.grammar import as_typed, tokens
from commands.group import set_group
from commands.help import help_, start
from commands.initiative import initiative
from commands.language import language
from commands.log import log
from commands.progress import progress
from commands.quota import quota
from commands.renew import renew
from commands.review import approve, reject
from commands.screen import screen
from commands.summary import post_summary
from commands.term import term
from commands.top import top
from commands.undo import undo
from commands.units import units
from commands.zalo_link import link_code, unlink
from locales import DEFAULT_LANGUAGE, Translator
from storage.errors import out_of_room
from tracker.errors import UserError
from tracker.models import Channel, Member, Role
from tracker.text import RedactingFilter, fold, redact, shown, valid_unicode

logger = logging.getLogger(__name__)
logger.addFilter(RedactingFilter())  # tracebacks too: no participant code in the logs

Handler = Callable[[Request, list[str], Member], Awaitable[Reply]]
EVERYONE = frozenset(Role)
LEADS = frozenset({Role.LEAD, Role.ADMIN})
NUMBERED_CHOICES = frozenset({Channel.ZALO, Channel.CONSOLE})
"""Channels that show a reply's buttons as a numbered list: they read `numbered.` wording."""


@dataclass(frozen=True)
class Command:
    name: str
    alias: str
    handler: Handler
    help_key: str
    roles: frozenset[Role] = EVERYONE
    in_menu: bool = True
    sends_files: bool = False
    """Its answer is a file or picture: by SMS, a short text says where to get it."""

    def word(self, language: str) -> str:
        """The command as a reader of `language` types it: `xuat`, or `export` in English."""
        return self.name if language == DEFAULT_LANGUAGE else self.alias


COMMANDS: list[Command] = [
    Command("ghi", "log", log, "help.log"),
    Command("huy", "undo", undo, "help.undo"),
    Command("kyhan", "term", term, "help.term", in_menu=False),
    Command("giahan", "renew", renew, "help.renew"),
    Command("denhan", "due", due, "help.due"),
    Command("tiendo", "progress", progress, "help.progress"),
    Command("bxh", "top", top, "help.top"),
    Command("donvi", "units", units, "help.units"),
    Command("thidua", "emulation", emulation, "help.emulation"),
    Command("huyhieu", "badges", badges, "help.badges"),
    Command("bieudo", "chart", chart, "help.chart", sends_files=True),
    Command("nhom", "setgroup", set_group, "help.setgroup", roles=LEADS),
    Command("sangkien", "initiative", initiative, "help.initiative", roles=LEADS),
    Command("chitieu", "quota", quota, "leads.help_quota", roles=LEADS),
    Command("duyet", "approve", approve, "leads.help_approve", roles=LEADS),
    Command("tuchoi", "reject", reject, "leads.help_reject", roles=LEADS),
    Command("xuat", "export", export, "leads.help_export", roles=LEADS, sends_files=True),
    Command("nhatky", "audit", audit, "leads.help_audit", roles=LEADS),
    Command("hoso", "dossier", dossier, "dossier.help", roles=LEADS, sends_files=True),
    Command("tonghop", "summary", post_summary, "help.summary", roles=LEADS),
    Command("malienket", "linkcode", link_code, "zalo.help_linkcode", roles=LEADS),
    Command("huyzalo", "unlinkzalo", unlink, "zalo.help_unlink"),
    Command("tv", "screen", screen, "screen.help", roles=LEADS),
    Command("ngonngu", "lang", language, "help.lang"),
    Command("trogiup", "help", help_, "help.help"),
    Command("start", "start", start, "help.start", in_menu=False),
]

# SMS shorthand words, usable everywhere; a program code alone means "log".
SHORTHAND = {
    "td": "tiendo",
    "huy": "huy",
    "hd": "trogiup",
    "bxh": "bxh",
    "gh": "giahan",
    "dh": "denhan",
}
SHORTHAND |= dict.fromkeys(YES_WORDS, "xacnhan") | dict.fromkeys(NO_WORDS, "boqua")


def register(command: Command) -> None:
    """Add a command (later features plug in here without touching the channels)."""
    COMMANDS.append(command)


def find(word: str) -> Command | None:
    word = fold(word)
    return next((c for c in COMMANDS if word in (c.name, c.alias)), None)


def commands_for(role: Role) -> list[Command]:
    return [command for command in COMMANDS if role in command.roles and command.in_menu]


def parse(text: str, program_codes: tuple[str, ...]) -> tuple[Command | None, list[str]]:
    """Split `/ghi@bot TN 2` or `tn2` into the command and its folded argument tokens."""
    text = text.strip()
    if text.startswith("/"):
        head, *rest = text[1:].split(maxsplit=1) or [""]  # `/` alone names no command
        return find(head.split("@", 1)[0]), tokens(rest[0] if rest else "")
    words = tokens(text)
    if not words:
        return None, []
    if len(words) == 1 and words[0].isdigit():  # the number of an option offered
        return find("xacnhan"), words
    if len(words) == 2 and fold(text).replace(" ", "") in SHORTHAND:  # `dong y`, `xac nhan`
        return find(SHORTHAND[fold(text).replace(" ", "")]), []
    codes = {code.lower() for code in program_codes}
    # `TN 2`, or count first (`2 TN`): either way it is a log.
    if words[0] in codes or (words[0].isdigit() and len(words) > 1 and words[1] in codes):
        return find("ghi"), words
    named = find(words[0])  # a command without its slash: `ghi 2 tn`, `Ghi TN 1`
    if named is not None and words[0] not in SHORTHAND:
        return named, words[1:]
    shorthand = SHORTHAND.get(words[0])
    return (find(shorthand), words[1:]) if shorthand else (None, words)


async def answer(request: Request, args: list[str], member: Member) -> Reply:
    """`CO`, `y`, `/xacnhan`, or an option's number: run what the open question offered."""
    command_line, confirms = await picked(request, args, member)
    return await dispatch(replace(request, confirmed=confirms), command_line)


COMMANDS += [
    Command("xacnhan", "confirm", answer, "choice.help_confirm", in_menu=False),
    Command("boqua", "cancel", cancel, "choice.help_cancel", in_menu=False),
]


async def dispatch(request: Request, text: str) -> Reply:
    """Run the command in `text` for the linked member; user errors become polite replies."""
    typed = text.strip().split(maxsplit=1)
    request = replace(request, raw_args=typed[1] if len(typed) > 1 else "")
    member = request.member
    if member is None:
        raise ValueError("dispatch needs a linked member; channels handle strangers")
    command, args = parse(text, (*request.rules.program_codes, *request.rules.aliases))
    try:
        if command is None:
            raise UserError("error.unknown_command")
        if member.role not in command.roles:
            raise UserError("error.not_allowed")
        if command.sends_files and request.channel is Channel.SMS:
            key = "sms.files_elsewhere_lead" if member.is_lead else "sms.files_elsewhere"
            return Reply(request.t(key, command=command.word(request.t.language)))
        return await command.handler(request, args, member)
    except UserError as error:
        params = dict(error.params)
        given = params.get("given")
        if isinstance(given, str):  # quote it as typed: `T13`, not `t 13`
            params["given"] = shown(as_typed(request.raw_args or text, given))
        return Reply(request.t(error.key, **params), refused=True)


async def _note_channel(
    services: Services, member: Member, channel: Channel, now: datetime
) -> None:
    """Remember the channel the member wrote from, so notices go there first."""
    noted = services.notifier.noted_channels  # what this process wrote: skip a repeat
    if channel is Channel.IMPORT or noted.get(member.id) is channel:
        return
    try:
        await services.repo.note_channel(member.id, channel, now)
    except Exception as error:
        if not out_of_room(error):
            raise
        return  # the reply stands (what it says was stored); the channel is noted next time
    noted[member.id] = channel


async def run_text(
    services: Services,
    member: Member,
    text: str,
    channel: Channel,
    source_key: str | None,
    group_chat_id: int | str | None = None,
) -> Reply:
    """One inbound text from a linked member, through any channel, to one reply.

    Nothing escapes: an unexpected failure is logged with the message and answered with
    an apology, so one bad message never stops a channel.
    """
    translator = Translator(
        member.language, plain=channel is Channel.SMS, numbered=channel in NUMBERED_CHOICES
    )
    text = valid_unicode(text)
    request = Request(
        services, member, translator, services.clock(), channel, source_key, group_chat_id
    )
    try:
        reply = await dispatch(request, text)
        if not reply.refused:  # a refusal changes nothing, not even this
            await _note_channel(services, member, channel, request.now)
        return reply
    except Exception as error:
        if out_of_room(error):
            logger.error("storage full: %s (member=%s channel=%s)", error, member.id, channel)
            return Reply(translator("error.storage_full"))
        logger.exception(
            "command failed: member=%s channel=%s text=%r", member.id, channel, redact(text)
        )
        return Reply(translator("error.internal"))
