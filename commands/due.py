"""`/denhan` (`/due`): participants whose paid term ends soon or ended within the grace.

An officer or agent sees their own participants (last 3 digits, program, paid-until,
who logged them); a lead sees how many fall due in their subtree, per unit right under
theirs (per member in a unit with nothing under it); `/denhan <unit>` goes down a level,
and `/denhan <phone>` lists one member's participants.
"""

from __future__ import annotations

from commands.audit import managed_member
from commands.context import Reply, Request
from commands.render import program_label
from locales import Translator
from storage.renewals_repository import DueParticipant
from tracker.errors import UserError
from tracker.models import Member, Unit
from tracker.renewals import DueWindow
from tracker.text import fold

LIST_LINES = 30
"""At most this many participants in one reply; the rest are counted."""
SMS_ITEMS = 4


async def due(request: Request, args: list[str], member: Member) -> Reply:
    window = DueWindow.around(request.today, grace_days=request.rules.grace_days)
    if args and not member.is_lead:
        raise UserError("due.usage")
    named = "".join(args)
    if named and named.lstrip("+").isdigit():  # a lead asking for one member's list
        person = await managed_member(request, member, named)
        listed = await request.repo.due_for_member(person.id, window.first, window.last)
        return Reply(due_list(request, person, listed, window))
    if member.is_lead:
        return Reply(await _lead_counts(request, member, window, " ".join(args)))
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
            t(
                key,
                last3=item.last3,
                program=program_label(t, request.rules, item.program),
                until=item.paid_until,
                by=item.member_name,
            )
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


async def _lead_counts(request: Request, lead: Member, window: DueWindow, named: str) -> str:
    """The subtree's totals, then per unit right under it (or per member in a unit with
    nothing under it): a province lead reads ten offices, not five thousand names."""
    t, repo = request.t, request.repo
    subtree = await repo.subtree_units(lead.unit_id)
    scope = subtree[0]
    if named:
        wanted = fold(named)
        found = [unit for unit in subtree if wanted in fold(unit.name)]
        if not found:
            raise UserError("boards.unknown_unit", given=request.raw_args.strip() or named)
        scope = found[0]
    children = [unit for unit in subtree if unit.parent_id == scope.id]
    if children:
        rows = await _per_child_unit(request, scope, children, subtree, window)
    else:
        counts = await repo.due_counts(scope.id, window.first, window.last, request.today)
        rows = [(count.member_name, count.upcoming, count.overdue) for count in counts]
    if not rows:
        return t("due.none_unit", unit=scope.name, first=window.first, last=window.last)
    lines = [
        t(
            "due.unit_title",
            unit=scope.name,
            upcoming=sum(row[1] for row in rows),
            overdue=sum(row[2] for row in rows),
            first=window.first,
            last=window.last,
        )
    ]
    lines += [
        t("due.member_line", name=name, upcoming=upcoming, overdue=overdue)
        for name, upcoming, overdue in rows[:LIST_LINES]
    ]
    if len(rows) > LIST_LINES:
        lines.append(t("due.more_lines", n=len(rows) - LIST_LINES))
    lines.append(t("due.lead_footer_units" if children else "due.lead_footer"))
    return "\n".join(lines)


async def _per_child_unit(
    request: Request, scope: Unit, children: list[Unit], subtree: list[Unit], window: DueWindow
) -> list[tuple[str, int, int]]:
    """(name, upcoming, overdue) of each unit right under `scope` (its whole subtree),
    and of `scope`'s own members, in the order of the unit tree; none left out but zeros."""
    parent_of = {unit.id: unit.parent_id for unit in subtree}
    child_ids = {unit.id for unit in children}
    totals: dict[int, list[int]] = {}
    for count in await request.repo.due_counts_by_unit(
        scope.id, window.first, window.last, request.today
    ):
        top: int | None = count.unit_id
        while top is not None and top != scope.id and top not in child_ids:
            top = parent_of.get(top)
        key = scope.id if top is None else top
        upcoming, overdue = totals.setdefault(key, [0, 0])
        totals[key] = [upcoming + count.upcoming, overdue + count.overdue]
    names = {unit.id: unit.name for unit in children}
    names[scope.id] = request.t("due.own_members", unit=scope.name)
    return [
        (names[unit_id], totals[unit_id][0], totals[unit_id][1])
        for unit_id in [scope.id, *(unit.id for unit in children)]
        if unit_id in totals
    ]
