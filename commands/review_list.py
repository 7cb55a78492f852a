"""`/duyet` without an entry: the review queue, page by page, of everyone or one member.

`/duyet` says how many entries wait and shows the newest page with a button per entry;
`/duyet trang 2` pages on; `/duyet 0912000001` (or part of a name) shows one member's;
`/duyet tatca` confirms every entry shown, after one confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.audit import managed_member, scope_of
from commands.choice import ask_to_confirm
from commands.context import Button, Reply, Request
from commands.grammar import natural, tokens
from commands.render import program_label
from tracker.errors import UserError
from tracker.models import Member
from tracker.phones import InvalidPhone, normalise_phone

PAGE_SIZE = 10
_PAGE_WORDS = {"trang", "page", "p"}
_ALL_WORDS = {"tatca", "all"}
PHONE_DIGITS = 9
"""A number this long is a phone (a member to filter by), not an entry's number."""


@dataclass(frozen=True)
class QueueView:
    page: int = 1
    member: Member | None = None
    all_shown: bool = False

    def command(self, page: int, *, all_shown: bool = False) -> str:
        parts = ["/duyet"]
        if all_shown:
            parts.append("tatca")
        if self.member is not None:
            parts.append(self.member.phone)
        parts.append(f"trang {page}")
        return " ".join(parts)


def is_queue_request(args: list[str]) -> bool:
    """Whether `/duyet <args>` asks for the queue rather than naming entries."""
    return not args or not all(arg.isdigit() and len(arg) < PHONE_DIGITS for arg in args)


async def read_view(request: Request, lead: Member, args: list[str]) -> QueueView:
    page, member, all_shown, words = 1, None, False, []
    at = 0
    while at < len(args):
        word = args[at]
        if word in _PAGE_WORDS and at + 1 < len(args) and args[at + 1].isdigit():
            page, at = max(1, natural(args[at + 1], 99_999) or 1), at + 2
            continue
        if word in _ALL_WORDS:
            all_shown = True
        elif word.isdigit() and len(word) >= PHONE_DIGITS:
            if not _is_phone(word):  # a number too long for an entry and not a phone
                raise UserError("leads.approve_usage")
            member = await managed_member(request, lead, word)
        else:
            words.append(word)
        at += 1
    if words:
        member = await _member_named(request, lead, " ".join(words))
    return QueueView(page, member, all_shown)


def _is_phone(word: str) -> bool:
    try:
        normalise_phone(word)
    except InvalidPhone:
        return False
    return True


async def _member_named(request: Request, lead: Member, wanted: str) -> Member:
    people = await request.repo.subtree_members(lead.unit_id)
    found = [person for person in people if wanted in " ".join(tokens(person.name))]
    if not found:
        raise UserError("review.no_member", given=wanted)
    if len(found) > 1:
        names = "; ".join(f"{person.name} ({person.phone})" for person in found[:5])
        raise UserError("review.many_members", names=names)
    return found[0]


async def show_queue(request: Request, lead: Member, view: QueueView) -> Reply:
    """One page of the queue, with what waits in all, or the question to confirm it all."""
    t = request.t
    member_id = view.member.id if view.member else None
    offset = (view.page - 1) * PAGE_SIZE
    total, shown = await request.repo.pending_page(scope_of(lead), member_id, offset, PAGE_SIZE)
    if not shown:
        if total and view.page > 1:
            raise UserError("review.no_page", page=view.page, pages=_pages(total))
        return Reply(t("leads.pending_none"))
    ids = [item.entry.id for item in shown]
    if view.all_shown:
        question = t("review.confirm_all", n=len(ids), ids=", ".join(f"#{i}" for i in ids))
        return await ask_to_confirm(request, "/duyet " + " ".join(map(str, ids)), question)
    whose = t("review.of_member", name=view.member.name) if view.member else ""
    lines = [
        t("review.waiting", n=total, whose=whose),
        t("review.page", page=view.page, pages=_pages(total), n=len(shown)),
    ]
    buttons: list[list[Button]] = []
    for item in shown:
        entry = item.entry
        lines.append(
            t(
                "leads.pending_line",
                id=str(entry.id),
                name=item.member_name,
                program=program_label(t, request.rules, entry.program),
                n=entry.count,
                day=entry.day,
                channel=t(f"review.channel.{entry.channel.value}"),
            )
        )
        buttons.append(
            [
                Button(t("leads.button_confirm", id=str(entry.id)), f"/duyet {entry.id}"),
                Button(t("leads.button_reject", id=str(entry.id)), f"/tuchoi {entry.id}"),
            ]
        )
    navigation = [
        Button(t("review.button_all", n=len(shown)), view.command(view.page, all_shown=True))
    ]
    if view.page > 1:
        navigation.append(Button(t("review.button_previous"), view.command(view.page - 1)))
    if offset + len(shown) < total:
        navigation.append(Button(t("review.button_next"), view.command(view.page + 1)))
    buttons.append(navigation)
    lines.append(t("review.hint_all" if not t.plain else "review.hint_all_sms"))
    return Reply("\n".join(lines), buttons=buttons)


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))
