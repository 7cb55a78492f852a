"""`/duyet [id]` (`/approve`) and `/tuchoi <id> [lý do]` (`/reject`): a lead reviews entries.

Without an id, `/duyet` lists the newest reported entries of the caller's subtree with
buttons to confirm or reject each. A rejected entry stops counting at once (the
entry_totals triggers follow the state) and its owner is told why.
"""

from __future__ import annotations

from commands.audit import scope_of
from commands.context import Button, DirectMessage, Reply, Request
from commands.grammar import parse_id
from locales import Translator
from storage.leads_repository import Review
from tracker.errors import UserError
from tracker.models import Entry, EntryState, Member

PENDING_SHOWN = 10


def _described(entry: Entry, owner_name: str) -> dict[str, object]:
    """What the review messages say of an entry."""
    return {
        "id": str(entry.id),
        "name": owner_name,
        "code": entry.program,
        "n": entry.count,
        "day": entry.day,
    }


async def approve(request: Request, args: list[str], member: Member) -> Reply:
    """List entries waiting for review, or confirm the one whose id is given."""
    if not args:
        return await _pending(request, member)
    entry_id = parse_id(args[0], "leads.approve_usage")
    review = await _review(request, member, entry_id, EntryState.CONFIRMED, None)
    return Reply(request.t("leads.confirmed", **_described(review.before, review.member_name)))


async def reject(request: Request, args: list[str], member: Member) -> Reply:
    """Reject an entry (reported or confirmed) with an optional reason; its owner is told."""
    # The id is the first word as typed (`1_000`, `7*7` are not ids); the reason is the
    # rest as the lead typed it: the owner reads it, accents and all.
    typed = request.raw_args.split(maxsplit=1)
    if not typed:
        raise UserError("leads.reject_usage")
    entry_id = parse_id(typed[0], "leads.reject_usage")
    reason = typed[1].strip() if len(typed) > 1 else None
    review = await _review(request, member, entry_id, EntryState.REJECTED, reason)
    entry = review.before
    owner = await request.repo.member(entry.member_id)
    told = Translator(owner.language)
    notice = told(
        "leads.rejected_notice",
        id=str(entry.id),
        code=entry.program,
        n=entry.count,
        day=entry.day,
        lead=member.name,
        reason=reason or told("leads.no_reason"),
    )
    reply = Reply(request.t("leads.rejected", **_described(entry, review.member_name)))
    if owner.id != member.id:
        reply.direct_messages.append(DirectMessage(owner.id, notice))
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


async def _pending(request: Request, member: Member) -> Reply:
    t = request.t
    pending = await request.repo.pending_entries(scope_of(member), PENDING_SHOWN)
    if not pending:
        return Reply(t("leads.pending_none"))
    lines = [t("leads.pending_title", n=len(pending))]
    buttons: list[list[Button]] = []
    for item in pending:
        entry = item.entry
        lines.append(
            t(
                "leads.pending_line",
                id=str(entry.id),
                name=item.member_name,
                code=entry.program,
                n=entry.count,
                day=entry.day,
                channel=entry.channel.value,
            )
        )
        buttons.append(
            [
                Button(t("leads.button_confirm", id=str(entry.id)), f"/duyet {entry.id}"),
                Button(t("leads.button_reject", id=str(entry.id)), f"/tuchoi {entry.id}"),
            ]
        )
    return Reply("\n".join(lines), buttons=buttons)
