"""`/denhan` (`/due`): participants whose paid term ends soon or ended within the grace.

An officer or agent sees their own participants (last 3 digits, program, paid-until,
who logged them); a lead sees how many fall due in their subtree and per member, and
`/denhan <phone>` lists one member's.
"""

from __future__ import annotations

from commands.audit import managed_member
from commands.context import Reply, Request
from locales import Translator
from storage.renewals_repository import DueParticipant
from tracker.errors import UserError
from tracker.models import Member
from tracker.renewals import DueWindow

LIST_LINES = 30
"""At most this many participants in one reply; the rest are counted."""
SMS_ITEMS = 4


async def due(request: Request, args: list[str], member: Member) -> Reply:
    window = DueWindow.around(request.today, grace_days=request.rules.grace_days)
    if args and member.is_lead:
        person = await managed_member(request, member, "".join(args))
        listed = await request.repo.due_for_member(person.id, window.first, window.last)
        return Reply(due_list(request, person, listed, window))
    if args:
        raise UserError("due.usage")
    if member.is_lead:
        return Reply(await _lead_counts(request, member, window))
    listed = await request.repo.due_for_member(member.id, window.first, window.last)
    return Reply(due_list(request, member, listed, window))


def due_list(
    request: Request, person: Member, listed: list[DueParticipant], window: DueWindow
) -> str:
    t, today = request.t, request.today
    if not listed:
        return t("due.none", name=person.name, first=window.first, last=window.last)
    if t.plain:
        return _sms_list(t, listed, request)
    lines = [t("due.title", name=person.name, n=len(listed), first=window.first, last=window.last)]
    for item in listed[:LIST_LINES]:
        key = "due.line_overdue" if item.paid_until < today else "due.line"
        lines.append(
            t(key, last3=item.last3, code=item.program, until=item.paid_until, by=item.member_name)
        )
    if len(listed) > LIST_LINES:
        lines.append(t("due.more", n=len(listed) - LIST_LINES))
    lines.append(t("due.footer"))
    return "\n".join(lines)


def _sms_list(t: Translator, listed: list[DueParticipant], request: Request) -> str:
    items = [
        t("due.sms_item", last3=item.last3, code=item.program, until=item.paid_until)
        for item in listed[:SMS_ITEMS]
    ]
    more = len(listed) - len(items)
    text = t("due.sms_list", n=len(listed), items=", ".join(items))
    return text + (t("due.sms_more", n=more) if more else "")


async def _lead_counts(request: Request, lead: Member, window: DueWindow) -> str:
    t = request.t
    unit = await request.repo.unit(lead.unit_id)
    counts = await request.repo.due_counts(unit.id, window.first, window.last, request.today)
    if not counts:
        return t("due.none_unit", unit=unit.name, first=window.first, last=window.last)
    lines = [
        t(
            "due.unit_title",
            unit=unit.name,
            upcoming=sum(count.upcoming for count in counts),
            overdue=sum(count.overdue for count in counts),
            first=window.first,
            last=window.last,
        )
    ]
    lines += [
        t("due.member_line", name=count.member_name, upcoming=count.upcoming, overdue=count.overdue)
        for count in counts
    ]
    lines.append(t("due.lead_footer"))
    return "\n".join(lines)
