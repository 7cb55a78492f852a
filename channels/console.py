"""The terminal channel: chat with the bot as one member, from a keyboard or a pipe."""

from __future__ import annotations

import asyncio
import sys
import threading
import uuid
from pathlib import Path
from typing import TextIO

from commands.context import Reply, Services
from commands.grammar import natural
from commands.notices import deliver_notices, worded
from commands.registry import run_text
from locales import Translator
from tracker.models import Channel, Member


def render(
    reply: Reply,
    out_dir: Path,
    group_names: dict[int, str],
    notices: list[tuple[str, str]] = [],  # noqa: B006 - read only
) -> str:
    """The reply as terminal text: buttons numbered, files saved and their paths shown,
    then what goes to a group and the notices for others (`(name, text)`)."""
    lines = [reply.text]
    choices = [button for row in reply.buttons for button in row]
    lines += [f"  [{number}] {button.label}" for number, button in enumerate(choices, 1)]
    for attachment in reply.attachments:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / attachment.filename
        path.write_bytes(attachment.content)
        lines.append(f"  📎 {path}")
    for post in reply.group_posts:
        lines.append(f"  [→ {group_names.get(post.unit_id, post.unit_id)}] {post.text}")
    for name, text in notices:
        lines.append(f"  [→ {name}] {text}")
    return "\n".join(lines)


def read_lines(stdin: TextIO) -> asyncio.Queue[str]:
    """Lines of `stdin` as they come, then "" at the end, read by a daemon thread.

    Not `asyncio.to_thread`: a read blocked in the default executor holds up
    `asyncio.run`'s shutdown, so Ctrl+C would wait for one more Enter. A daemon thread
    is left behind, and the console ends at once.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in iter(stdin.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
            loop.call_soon_threadsafe(queue.put_nowait, "")
        except (RuntimeError, ValueError, OSError):
            return  # the loop or stdin is closed: the console has ended

    threading.Thread(target=pump, name="console stdin", daemon=True).start()
    return queue


async def chat(
    services: Services, member: Member, stdin: TextIO, stdout: TextIO, out_dir: Path
) -> None:
    """Read one command a line until end of input; print each reply."""
    session = uuid.uuid4().hex[:8]
    interactive = stdin.isatty()
    t = Translator(member.language)
    print(t("start.linked", name=member.name) + " " + t("console.hint"), file=stdout)
    choices: list[str] = []
    number = 0
    lines = read_lines(stdin)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await lines.get()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        chosen = natural(text, len(choices))
        if chosen:
            text = choices[chosen - 1]  # a numbered button, as if pressed
        number += 1
        member = await services.repo.member(member.id)  # language or role may have changed
        reply = await run_text(
            services, member, text, Channel.CONSOLE, f"console:{session}:{number}"
        )
        choices = [button.command for row in reply.buttons for button in row]
        unit = await services.repo.unit(member.unit_id)
        notices = await _worded_notices(services, reply)
        print(render(reply, out_dir, {unit.id: unit.name}, notices), file=stdout, flush=True)
        await deliver_notices(services, reply.direct_messages)
        if not interactive:
            print(file=stdout)


async def _worded_notices(services: Services, reply: Reply) -> list[tuple[str, str]]:
    """Each notice as its reader will read it: shown here, sent by the channels they use."""
    shown = []
    for notice in reply.direct_messages:
        reader = await services.repo.member(notice.member_id)
        shown.append((reader.name, worded(notice, reader.language)))
    return shown


async def open_console(services: Services, phone: str, out_dir: Path) -> int:
    """`python bot.py console --phone ...`: 0 when the chat ends, 2 for an unknown number."""
    from tracker.phones import InvalidPhone, normalise_phone

    t = Translator()
    try:
        member = await services.repo.member_by_phone(normalise_phone(phone))
    except InvalidPhone:
        member = None
    if member is None:
        print(t("console.unknown_phone", phone=phone), file=sys.stderr)
        return 2
    await chat(services, member, sys.stdin, sys.stdout, out_dir)
    return 0
