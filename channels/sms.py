"""The SMS channel, inbound: one SMS from Kannel in, the reply SMS out as the answer body.

The sender is found by their normalised phone number; what they wrote goes through
`commands.registry.run_text` like any Telegram message, so `TN 2`, `TD Q`, `HUY` and
`HD` follow the same rules in every channel. The reply is plain ASCII Vietnamese of at
most 160 characters, so one GSM-7 SMS carries it.

Kannel delivers at least once: the message id (or, without one, sender, text and
timestamp) becomes the command's source key, so a redelivered SMS changes nothing and
gets the same answer. An unknown number gets one short refusal a day, and only a keyed
hash of it is stored to know that.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

from channels.once import Handled, handle_once
from commands.context import GroupPost, Services
from commands.notices import deliver_notices
from commands.registry import run_text
from locales import Translator
from tracker.models import Channel, Member
from tracker.periods import local_day
from tracker.phones import InvalidPhone, normalise_phone
from tracker.text import plain_ascii

logger = logging.getLogger(__name__)

SMS_LIMIT = 160
ELLIPSIS = "..."
MAX_BODY = 16_384
"""Longer than any concatenated SMS a phone sends; a bigger request is not an SMS."""

# ASCII that GSM-7 lacks (backtick) or sends as two septets (its extension table).
_GSM_SAFE = str.maketrans(
    {"[": "(", "]": ")", "{": "(", "}": ")", "~": "-", "\\": "/", "^": "'", "|": "/", "`": "'"}
)

_ONCE = frozenset({"from", "to", "text", "id", "ts"})
"""The parameters of the get-url template (`%p %P %a %I %t`), each sent once by Kannel."""

GroupPoster = Callable[[GroupPost], Awaitable[None]]


@dataclass(frozen=True)
class InboundSms:
    """One mobile-originated SMS as Kannel hands it over (`%p`, `%a`, `%I`, `%t`, `%P`)."""

    sender: str
    text: str
    message_id: str = ""
    timestamp: str = ""
    receiver: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> InboundSms | None:
        """None when there is no sender: nobody to answer, nothing to do."""
        sender = params.get("from", "").strip()
        if not sender:
            return None
        return cls(
            sender=sender,
            text=params.get("text", ""),
            message_id=params.get("id", "").strip(),
            timestamp=params.get("ts", "").strip(),
            receiver=params.get("to", "").strip(),
        )


async def read_inbound(request: Request) -> InboundSms | None:
    """The SMS in a get-url call (query string) or a post-url call.

    Kannel's post-url sends the text as a text/plain body and the sender in
    `X-Kannel-From`; a form-encoded body is read too. Query parameters from the URL
    template (`?id=%I&secret=...`) apply in both cases.
    """
    if _repeated(request.query_params.multi_items()):
        return None
    params = dict(request.query_params)
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY:
            return None
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            if _repeated([*request.query_params.multi_items(), *form]):
                return None
            params.update(form)
        else:
            params["text"] = _decode(body, content_type)
            for name, header in (("from", "x-kannel-from"), ("to", "x-kannel-to")):
                params.setdefault(name, request.headers.get(header, ""))
            params.setdefault("ts", request.headers.get("x-kannel-time", ""))
    return InboundSms.from_params(params)


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip('"')
    try:
        return body.decode(charset, "replace")
    except (LookupError, UnicodeError):  # unknown, or `idna`/`undefined`: no text codec
        return body.decode("utf-8", "replace")


def _repeated(items: list[tuple[str, str]]) -> bool:
    """True when a parameter Kannel sends once comes twice (`text=TN 2&text=YT 9`): which
    one to believe is a guess, so the call is not taken for an SMS."""
    names = [name for name, _ in items if name in _ONCE]
    return len(names) != len(set(names))


async def answer_sms(
    services: Services,
    sms: InboundSms,
    hash_key: str,
    post_to_group: GroupPoster | None = None,
) -> str:
    """The reply to one inbound SMS: a command's answer, a refusal, or '' for no reply."""
    member = await member_for(services, sms.sender)
    if member is None:
        return await refuse_stranger(services, sms.sender, hash_key)
    key = source_key(member.phone, sms, hash_key)

    async def answer() -> str:
        reply = await run_text(services, member, sms.text, Channel.SMS, key)
        await deliver_notices(services, reply.direct_messages)
        if post_to_group is not None:
            for post in reply.group_posts:
                try:
                    await post_to_group(post)
                except Exception:
                    logger.exception("group post for an SMS failed: unit=%s", post.unit_id)
        return fit_sms(reply.text)

    if key is None:
        return await answer()
    # Once across processes: a repeat gets the first answer back (channels.once).
    once = await handle_once(services, key, answer)
    if once.handled is Handled.BUSY:
        raise StillHandled(key)
    return once.reply or ""


class StillHandled(Exception):
    """Another live process is answering this SMS right now: Kannel should call again."""


async def member_for(services: Services, sender: str) -> Member | None:
    try:
        phone = normalise_phone(sender)
    except InvalidPhone:
        return None
    return await services.repo.member_by_phone(phone)


async def refuse_stranger(services: Services, sender: str, hash_key: str) -> str:
    """One short refusal per number and local day; afterwards silence (no SMS at all)."""
    today = local_day(services.clock())
    if await services.repo.claim_refusal(number_hash(sender, hash_key), today):
        return fit_sms(Translator(plain=True)("sms.unknown_number"))
    return ""


def number_hash(sender: str, key: str) -> str:
    """A keyed hash of the number (`+84 912...`, `84912...`, `0912...` hash alike)."""
    try:
        canonical = normalise_phone(sender)
    except InvalidPhone:
        canonical = "".join(sender.split()).lower()
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def source_key(phone: str, sms: InboundSms, hash_key: str) -> str | None:
    """What makes a redelivery of `sms` a repeat: Kannel's id, else text and timestamp.

    The text may hold a participant's code, so it enters the key only through a keyed
    hash (a plain hash of a 12-digit code could be reversed by trying them all). With
    neither id nor timestamp there is no telling a repeat from a second identical
    message, so each delivery counts (None).
    """
    if sms.message_id:
        message_id = sms.message_id
        if len(message_id) > 64 or not message_id.isascii():
            message_id = hashlib.sha256(message_id.encode()).hexdigest()[:32]
        return f"sms:{phone}:id:{message_id}"
    if sms.timestamp:
        text_and_time = f"{sms.text}\0{sms.timestamp}".encode()
        digest = hmac.new(hash_key.encode(), text_and_time, hashlib.sha256).hexdigest()[:32]
        return f"sms:{phone}:ts:{digest}"
    return None


def fit_sms(text: str, limit: int = SMS_LIMIT) -> str:
    """`text` as one GSM-7 SMS: printable ASCII and newlines, at most `limit` characters.

    Replies are written to fit; cutting is the last resort, at a word boundary, marked
    with `...`.
    """
    safe = plain_ascii(text).translate(_GSM_SAFE)
    text = "".join(char for char in safe if " " <= char <= "~" or char == "\n").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    head = cut[:boundary] if boundary >= limit // 2 else cut[: limit - len(ELLIPSIS)]
    return head.rstrip(" \n.,;:-") + ELLIPSIS
