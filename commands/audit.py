"""`/nhatky` (`/audit`): the last changes leads and admins made within the caller's scope.

Also the one rule of lead scope every lead command follows: a lead manages their own
unit's subtree, an admin everything.
"""

from __future__ import annotations

from commands.audit_lines import audit_line, group_changes
from commands.context import Reply, Request
from tracker.errors import UserError
from tracker.models import Member, Role
from tracker.phones import InvalidPhone, normalise_phone
from tracker.text import shown

AUDIT_LINES = 20
AUDIT_RECORDS = 400
"""Records read for those lines: a split year alone writes about twenty."""


def scope_of(member: Member) -> int | None:
    """The unit whose subtree `member` manages; None (everything) for an admin."""
    return None if member.role is Role.ADMIN else member.unit_id


async def managed_member(request: Request, lead: Member, raw_phone: str) -> Member:
    """The member with `raw_phone`, when `lead` manages their unit; UserError otherwise.

    Someone outside the lead's units and a number on no list get the same answer, which
    quotes only the number typed: a refusal tells nobody who is behind a number, or even
    that someone is.
    """
    try:
        phone = normalise_phone(raw_phone)
    except InvalidPhone:
        raise UserError("leads.bad_phone", given=shown(raw_phone)) from None
    found = await request.repo.member_by_phone(phone)
    scope = scope_of(lead)
    if found is not None and await request.repo.unit_in_scope(found.unit_id, scope):
        return found
    raise UserError("leads.unknown_member" if scope is None else "leads.outside_scope", phone=phone)


async def audit(request: Request, args: list[str], member: Member) -> Reply:
    """List the last changes made within the caller's subtree, newest first."""
    t = request.t
    records = await request.repo.audit_log(scope_of(member), AUDIT_RECORDS)
    if not records:
        return Reply(t("leads.audit_empty"))
    groups = group_changes(records)[:AUDIT_LINES]

    async def member_name(member_id: int) -> str:
        return (await request.repo.member(member_id)).name

    lines = [t("leads.audit_title", n=len(groups))]
    lines += [await audit_line(t, group, member_name) for group in groups]
    return Reply("\n".join(lines))
