"""`/chitieu <đơn vị> <loại hình> <kỳ> <số> tong` (`/quota … total`): a unit's plan for
participants in total (số người tham gia), measured against its participant count
rather than against the enrolments logged (issue 14). Every change is audited."""

from __future__ import annotations

from commands.context import Reply, Request
from commands.render import period_label, program_name
from storage.leads_repository import QuotaTarget
from tracker.errors import UserError
from tracker.models import Member, Program, TargetKind
from tracker.periods import Period

TOTAL_WORDS = frozenset({"tong", "total"})
"""The word after the number that makes a quota a plan for participants in total."""


def asks_for_total(words: list[str]) -> bool:
    """`… 20869 tong`: the words after the number name a total plan."""
    return any(word in TOTAL_WORDS for word in words)


async def set_total_plan(
    request: Request,
    member: Member,
    target: QuotaTarget,
    program: Program,
    period: Period,
    value: int,
    words: list[str],
) -> Reply:
    """Set `target`'s plan for participants in total; `words` are those after the number."""
    if target.kind is not TargetKind.UNIT:
        raise UserError("total_plans.units_only")
    if [word for word in words if word not in TOTAL_WORDS]:
        raise UserError("total_plans.no_split")
    before = await request.repo.change_total_plan(
        target.id, target.label, program.code, period.key, value, member.id, request.now
    )
    t = request.t
    return Reply(
        t(
            "total_plans.set",
            program=program_name(t, program),
            period=period_label(t, period),
            target=target.label,
            before="—" if before is None else t.number(before),
            after=value,
        )
    )
