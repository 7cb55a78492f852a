"""`/nhatky` (`/audit`): the last changes leads and admins made within the caller's scope.

Also the one rule of lead scope every lead command follows: a lead manages their own
unit's subtree, an admin everything.
"""

from __future__ import annotations

from commands.context import Reply, Request
from tracker.models import Member, Role
from tracker.periods import VIETNAM

AUDIT_LINES = 20


def scope_of(member: Member) -> int | None:
    """The unit whose subtree `member` manages; None (everything) for an admin."""
    return None if member.role is Role.ADMIN else member.unit_id


async def audit(request: Request, args: list[str], member: Member) -> Reply:
    """List the last changes made within the caller's subtree, newest first."""
    t = request.t
    records = await request.repo.audit_log(scope_of(member), AUDIT_LINES)
    if not records:
        return Reply(t("leads.audit_empty"))
    lines = [t("leads.audit_title", n=len(records))]
    for record in records:
        lines.append(
            t(
                "leads.audit_line",
                at=record.at.astimezone(VIETNAM).strftime("%d/%m %H:%M"),
                actor=record.actor_name,
                action=t(f"leads.action.{record.action}"),
                subject=record.subject,
                before=record.before if record.before is not None else "—",
                after=record.after if record.after is not None else "—",
            )
        )
    return Reply("\n".join(lines))
