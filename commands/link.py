"""Linking a Telegram account to a member on the staff list, by their shared contact."""

from __future__ import annotations

from commands.context import Reply, Services
from locales import Translator, language_or_default
from tracker.models import Member
from tracker.phones import InvalidPhone, normalise_phone


def ask_to_link(language_code: str | None) -> Reply:
    """What a stranger gets, whatever they type: a request to share their number."""
    t = Translator(language_or_default(language_code))
    return Reply(t("start.ask_contact"), contact_button=t("start.share_button"))


async def link_by_contact(
    services: Services,
    sender_id: int,
    contact_user_id: int | None,
    phone_number: str,
    language_code: str | None,
) -> tuple[Reply, Member | None]:
    """Link `sender_id` to the member with `phone_number`, if it is their own and on staff.

    A contact forwarded from someone else (its user id is not the sender's) is refused,
    as is a number that is not on the staff list; either way nothing is stored.
    """
    t = Translator(language_or_default(language_code))
    if contact_user_id != sender_id:
        return Reply(t("start.not_own"), contact_button=t("start.share_button")), None
    try:
        phone = normalise_phone(phone_number)
    except InvalidPhone:
        return Reply(t("start.bad_phone"), contact_button=t("start.share_button")), None
    member = await services.repo.member_by_phone(phone)
    if member is None:
        return Reply(t("start.not_staff", phone=phone)), None
    member = await services.repo.link_telegram(member.id, sender_id)
    t = Translator(member.language)
    return Reply(t("start.linked_now", name=member.name, phone=member.phone)), member
