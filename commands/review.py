"""`/duyet [id]` (`/approve`) and `/tuchoi <id> [lý do]` (`/reject`): a lead reviews entries.

Without an id, `/duyet` lists the newest reported entries of the caller's subtree with
buttons to confirm or reject each. A rejected entry stops counting at once (the
entry_totals triggers follow the state) and its owner is told why.
"""

from __future__ import annotations

from commands.audit import scope_of
from commands.choice import ask_to_confirm
from commands.context import DirectMessage, Reply, Request
from commands.grammar import parse_id
from commands.render import program_label
from commands.review_list import is_queue_request, read_view, show_queue
from storage.leads_repository import RejectedEntry, Review
from tracker.errors import UserError
from tracker.models import Entry, EntryState, Member, Program


def _described(request: Request, entry: Entry, owner_name: str) -> dict[str, object]:
    """What the review messages say of an entry."""
    return {
        "id": str(entry.id),
        "name": owner_name,
        "program": program_label(request.t, request.rules, entry.program),
        "n": entry.count,
        "day": entry.day,
    }


def _program(request: Request, entry: Entry) -> Program | str:
    """The entry's program for a notice, named for its reader's channel when it is
    worded (`commands.notices.worded`); the bare code if config no longer has it."""
    return request.rules.program(entry.program) or entry.program


async def approve(request: Request, args: list[str], member: Member) -> Reply:
    """List entries waiting for review, or confirm the one whose id is given."""
    if is_queue_request(args):
        return await show_queue(request, member, await read_view(request, member, args))
    if len(args) > 1:
        return await _approve_many(
            request, member, [parse_id(arg, "leads.approve_usage") for arg in args]
        )
    entry_id = parse_id(args[0], "leads.approve_usage")
    rejected = await request.repo.rejected_entry(entry_id, scope_of(member))
    if rejected is not None:
        return await _reopen(request, member, rejected)
    review = await _review(request, member, entry_id, EntryState.CONFIRMED, None)
    described = _described(request, review.before, review.member_name)
    return Reply(request.t("leads.confirmed", **described))


async def _reopen(request: Request, member: Member, rejected: RejectedEntry) -> Reply:
    """A rejected entry counts again once the lead confirms it; the reason stays."""
    entry, t = rejected.entry, request.t
    described = _described(request, entry, rejected.member_name)
    if rejected.duplicate:
        raise UserError("leads.reopen_duplicate", id=str(entry.id))
    if not request.confirmed:
        reason = rejected.reason or t("leads.no_reason_given")
        question = t("leads.reopen_ask", reason=reason, **described)
        return await ask_to_confirm(request, f"/duyet {entry.id}", question)
    review = await request.repo.reopen_entry(entry.id, scope_of(member), member.id, request.now)
    if review is None or not review.changed:
        state = t(f"leads.state.{(review.before if review else entry).state.value}")
        raise UserError("leads.entry_not_pending", id=str(entry.id), state=state)
    reply = Reply(t("leads.reopened", **described))
    if entry.member_id != member.id:
        params = {
            "id": str(entry.id),
            "program": _program(request, entry),
            "n": entry.count,
            "day": entry.day,
            "lead": member.name,
        }
        reply.direct_messages.append(
            DirectMessage(entry.member_id, "leads.reopened_notice", params, member.id)
        )
    return reply


async def reject(request: Request, args: list[str], member: Member) -> Reply:
    """Reject an entry (reported or confirmed) with an optional reason; its owner is told."""
    # The id is the first word as typed (`1_000`, `7*7` are not ids); the reason is the
    # rest as the lead typed it (codes masked): the owner reads it, accents and all.
    typed = request.raw_args.split(maxsplit=1)
    if not typed:
        raise UserError("leads.reject_usage")
    entry_id = parse_id(typed[0], "leads.reject_usage")
    reason = request.free_text(1) or None
    review = await _review(request, member, entry_id, EntryState.REJECTED, reason)
    entry = review.before
    reply = Reply(request.t("leads.rejected", **_described(request, entry, review.member_name)))
    if entry.member_id != member.id:
        notice = DirectMessage(
            entry.member_id,
            "leads.rejected_notice" if reason else "leads.rejected_notice_unexplained",
            {
                "id": str(entry.id),
                "program": _program(request, entry),
                "n": entry.count,
                "day": entry.day,
                "lead": member.name,
                "reason": reason or "",
            },
            tell_if_undelivered=member.id,
        )
        reply.direct_messages.append(notice)
    return reply


async def _review(
    request: Request, member: Member, entry_id: int, to: EntryState, reason: str | None
) -> Review:
    allowed = (
        (EntryState.REPORTED,)
        if to is EntryState.CONFIRMED
        else (EntryState.REPORTED, EntryState.CONFIRMED)
    )
    review = await request.repo.review_entry(
        entry_id, scope_of(member), to, allowed, member.id, reason, request.now
    )
    if review is None:  # unknown, or outside the caller's subtree: the same answer
        raise UserError("leads.entry_not_found", id=str(entry_id))
    if not review.changed:
        state = request.t(f"leads.state.{review.before.state.value}")
        raise UserError("leads.entry_not_pending", id=str(entry_id), state=state)
    return review


async def _approve_many(request: Request, member: Member, ids: list[int]) -> Reply:
    """Several entries at once: asked first, then each confirmed (or said why not)."""
    t = request.t
    ids = list(dict.fromkeys(ids))
    if not request.confirmed:
        question = t("review.confirm_all", n=len(ids), ids=", ".join(f"#{i}" for i in ids))
        return await ask_to_confirm(request, "/duyet " + " ".join(map(str, ids)), question)
    lines = []
    for entry_id in ids:
        try:
            review = await _review(request, member, entry_id, EntryState.CONFIRMED, None)
        except UserError as error:
            lines.append(t(error.key, **error.params))
            continue
        lines.append(t("leads.confirmed", **_described(request, review.before, review.member_name)))
    return Reply("\n".join(lines))
