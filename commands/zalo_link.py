"""Linking a Zalo account to a staff member by a one-time code, since Zalo shares no contact.

The person sends their phone number; a 6-digit code goes to that number by SMS (or, with
no SMS gateway, their lead issues one with `/malienket <phone>` and passes it on); the
person types the code back and only then is the account linked. Codes live 10 minutes
and are kept only as a salted scrypt hash (a stolen database yields no live code in
time); five wrong codes block the number for an hour; a number whose member already has
a Zalo account is never linked to a second one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from commands.audit import managed_member
from commands.context import DirectMessage, Reply, Request, Services
from locales import Translator
from storage.zalo_repository import LinkCode
from tracker.errors import UserError
from tracker.models import Member
from tracker.periods import VIETNAM
from tracker.phones import InvalidPhone, normalise_phone

CODE_TTL = timedelta(minutes=10)
WRONG_LIMIT = 5
BLOCK_FOR = timedelta(hours=1)
_CODE = re.compile(r"^\d{6}$")

SendSms = Callable[[str, str], Awaitable[bool]]
"""Sends one SMS (ASCII, ≤ 160 characters) to a phone; True when the gateway took it."""


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def hash_code(code: str, salt: str) -> str:
    """scrypt (16 MiB, about 50 ms): a million guesses take longer than a code lives."""
    digest = hashlib.scrypt(code.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1, dklen=32)
    return digest.hex()


async def code_matches(code: str, stored: LinkCode) -> bool:
    computed = await asyncio.to_thread(hash_code, code, stored.salt)
    return hmac.compare_digest(computed, stored.code_hash)


async def issue_code(
    services: Services, phone: str, issued_by: int | None, zalo_user_id: str | None
) -> tuple[str, LinkCode]:
    """A fresh code for `phone`, replacing any earlier one; the plain code is returned once."""
    code, salt = new_code(), secrets.token_hex(16)
    stored = LinkCode(
        phone=phone,
        code_hash=await asyncio.to_thread(hash_code, code, salt),
        salt=salt,
        expires_at=services.clock() + CODE_TTL,
        issued_by=issued_by,
        zalo_user_id=zalo_user_id,
    )
    await services.repo.store_link_code(stored, services.clock())
    return code, stored


def _clock_time(instant: datetime) -> str:
    return instant.astimezone(VIETNAM).strftime("%H:%M")


async def link_code(request: Request, args: list[str], member: Member) -> Reply:
    """`/malienket <phone>` (lead): a one-time Zalo link code for a member of the subtree."""
    if len(args) != 1:
        raise UserError("zalo.linkcode_usage")
    target = await managed_member(request, member, args[0])
    if await request.repo.zalo_user_of(target.id) is not None:
        raise UserError("zalo.already_linked", phone=target.phone)
    code, stored = await issue_code(request.services, target.phone, member.id, None)
    return Reply(
        request.t(
            "zalo.linkcode_issued",
            name=target.name,
            phone=target.phone,
            code=code,
            until=_clock_time(stored.expires_at),
        )
    )


async def unlink(request: Request, args: list[str], member: Member) -> Reply:
    """`/huyzalo` (`/unlinkzalo`): unlink one's own Zalo account (a lost phone, a new
    account); `/huyzalo <phone>`: a lead resets the link of a member of their subtree, who
    is told on the channel they still use. Audited either way."""
    if len(args) > 1:
        raise UserError("zalo.unlink_usage")
    target = member
    if args:
        if not member.is_lead:
            raise UserError("zalo.unlink_others_lead_only")
        target = await managed_member(request, member, args[0])
    own = target.id == member.id
    if not await request.repo.unlink_zalo(target.id, member.id, request.now):
        raise UserError("zalo.not_linked_own" if own else "zalo.not_linked", phone=target.phone)
    if own:
        return Reply(request.t("zalo.unlinked_own"))
    notice = DirectMessage(target.id, "zalo.unlinked_notice", {"lead": member.name})
    reply = Reply(request.t("zalo.unlinked", name=target.name, phone=target.phone))
    reply.direct_messages.append(notice)
    return reply


async def link_stranger(
    services: Services, zalo_user_id: str, text: str, send_sms: SendSms | None
) -> Reply:
    """What an unlinked Zalo account gets for `text`: the next step of linking."""
    t = Translator("vi")
    words = text.split()
    if len(words) == 2 and _CODE.match(words[1]):  # "0912000001 123456" at once
        claim = await _claim_number(services, zalo_user_id, words[0], t, send_sms=None)
        if claim is not None and not claim.awaits_code:
            return Reply(claim.answer)
        return await _redeem(services, zalo_user_id, words[1], t)
    if _CODE.match(text.strip()):
        return await _redeem(services, zalo_user_id, text.strip(), t)
    claim = await _claim_number(services, zalo_user_id, text, t, send_sms)
    return Reply(t("zalo.ask_phone") if claim is None else claim.answer)


@dataclass(frozen=True)
class _Claim:
    answer: str
    awaits_code: bool
    """A live code for the number now waits for this account to type it."""


async def _claim_number(
    services: Services, zalo_user_id: str, raw: str, t: Translator, send_sms: SendSms | None
) -> _Claim | None:
    """The answer to a typed phone number; None when `raw` is not a phone number at all."""
    try:
        phone = normalise_phone(raw)
    except InvalidPhone:
        return None
    repo, now = services.repo, services.clock()
    member = await repo.member_by_phone(phone)
    if member is None:
        return _Claim(t("start.not_staff", phone=phone), awaits_code=False)
    if (until := await repo.link_blocked_until(phone, now)) is not None:
        return _Claim(t("zalo.blocked", until=_clock_time(until)), awaits_code=False)
    if await repo.zalo_user_of(member.id) not in (None, zalo_user_id):
        return _Claim(t("zalo.already_linked", phone=phone), awaits_code=False)
    live = await repo.link_code(phone)
    if live is not None and live.expires_at > now and live.issued_by is not None:
        await repo.claim_link_code(phone, zalo_user_id)
        return _Claim(t("zalo.enter_lead_code"), awaits_code=True)
    if send_sms is None:
        return _Claim(t("zalo.ask_lead"), awaits_code=False)
    code, stored = await issue_code(services, phone, None, zalo_user_id)
    if not await send_sms(phone, t("zalo.sms_code", code=code)):
        return _Claim(t("zalo.sms_failed"), awaits_code=False)
    sent = t("zalo.code_sent", phone=_masked(phone), until=_clock_time(stored.expires_at))
    return _Claim(sent, awaits_code=True)


async def _redeem(services: Services, zalo_user_id: str, code: str, t: Translator) -> Reply:
    repo, now = services.repo, services.clock()
    stored = await repo.link_code_claimed_by(zalo_user_id)
    if stored is None:
        return Reply(t("zalo.send_phone_first"))
    if (until := await repo.link_blocked_until(stored.phone, now)) is not None:
        return Reply(t("zalo.blocked", until=_clock_time(until)))
    if stored.expires_at <= now:
        return Reply(t("zalo.code_expired"))
    if not await code_matches(code, stored):
        blocked = await repo.count_wrong_code(stored.phone, now, WRONG_LIMIT, BLOCK_FOR)
        if blocked is not None:
            return Reply(t("zalo.blocked", until=_clock_time(blocked)))
        return Reply(t("zalo.wrong_code"))
    member = await repo.member_by_phone(stored.phone)
    if member is None or not await repo.link_zalo(member.id, zalo_user_id, stored.phone, now):
        return Reply(t("zalo.already_linked", phone=stored.phone))
    t = Translator(member.language)
    return Reply(t("zalo.linked_now", name=member.name, phone=member.phone))


def _masked(phone: str) -> str:
    return f"{phone[:4]}***{phone[-3:]}"
