"""`/donvi [kỳ] [loại hình] [tên đơn vị]` (`/units`): the units under yours, ranked.

A lead may name any unit of their subtree; an officer whose own unit has nothing under
it sees their unit among its siblings, which is the comparison they care about.
"""

from __future__ import annotations

from commands.boards import UnitBoard, unit_board_of, unit_total_of
from commands.context import Reply, Request
from commands.grammar import parse_board_args
from commands.participant_report import (
    ProgramParticipants,
    participant_report,
    report_lines,
    with_plans,
)
from commands.render import period_label, programs_label, unit_board_line, unit_total_line
from commands.side_by_side import side_by_side
from commands.total_standing import TotalStanding, total_lines, total_standings
from storage.board_view_repository import FoldedUnits
from tracker.errors import UserError
from tracker.models import Member, Unit
from tracker.periods import Period
from tracker.quotas import QuotaBook
from tracker.text import fold


async def units(request: Request, args: list[str], member: Member) -> Reply:
    """Rank the child units of the caller's unit (or of a named unit, for a lead)."""
    period, programs, rest = parse_board_args(args, request.today, request.rules)
    scope = await _scope(request, member, " ".join(rest))
    # The board (with its units' total plans) and a lead's participants block, read side
    # by side: neither needs the other.
    (folded, board, standings, books), figures = await side_by_side(
        _board(request, scope, period, programs),
        _participants(request, scope, period) if member.is_lead else _nothing(),
    )
    if figures is not None:  # the scope's plans were read with its rows'
        figures = with_plans(figures, period, books.get(scope.id, {}))
    t = request.t
    lines = [
        t(
            "boards.units_title",
            period=period_label(t, period),
            unit=scope.name,
            programs=programs_label(t, request.rules, programs),
        )
    ]
    for row in board.ranked:  # each row says whether its target is the unit's plan or its members'
        lines.append(
            unit_board_line(
                t,
                row.rank,
                row.standing,
                board.targets[row.standing.key],
                mine=row.standing.key == member.unit_id,
            )
        )
        lines += total_lines(t, request.rules, standings, row.standing.key, row=True)
    for unranked in board.unranked:
        lines.append(t("boards.unit_no_quota", name=unranked.name, achieved=unranked.achieved))
        lines += total_lines(t, request.rules, standings, unranked.key, row=True)
    if not t.plain:  # the scope's own line, as in /bxh and its lead's /tiendo
        total = unit_total_of(folded, scope, programs)
        lines.append(unit_total_line(t, t("plans.whole_scope", unit=scope.name), total))
        if not member.is_lead:  # a lead reads it in the participants block below
            lines += total_lines(t, request.rules, standings, scope.id)
    if figures is not None:  # a lead: the scope's participants, as they report them upwards
        lines += report_lines(t, request.rules, scope, figures)
    return Reply("\n".join(lines))


async def _board(
    request: Request, scope: Unit, period: Period, programs: tuple[str, ...]
) -> tuple[FoldedUnits, UnitBoard, list[TotalStanding], dict[int, dict[str, QuotaBook]]]:
    """The folded units (board and scope total), the board, the units' standings against
    their plans for participants in total, and those plans (the scope's and every unit's
    on the board)."""
    folded = await request.repo.folded_units(scope.id, period, programs)
    board = unit_board_of(folded, scope, programs)
    listed = [row.standing.key for row in board.ranked] + [s.key for s in board.unranked]
    books = await request.repo.total_plan_books_of([scope.id, *listed])
    standings = await total_standings(
        request.repo, scope.id, period, request.today, request.rules.grace_days, programs,
        [scope.id, *listed], books,
    )  # fmt: skip
    return folded, board, standings, books


async def _participants(
    request: Request, scope: Unit, period: Period
) -> list[ProgramParticipants] | None:
    # Without the scope's plans: the board reads them with its units' (`with_plans`).
    return await participant_report(
        request.repo, scope.id, period, request.today, request.rules.grace_days,
        request.rules.program_codes, plans=False,
    )  # fmt: skip


async def _nothing() -> None:
    return None


async def _scope(request: Request, member: Member, named: str) -> Unit:
    if not named:  # the caller's unit, or its parent when nothing lies under it
        own = await request.repo.unit(member.unit_id)
        if own.parent_id is not None and not await request.repo.child_units(own.id):
            return await request.repo.unit(own.parent_id)
        return own
    if not member.is_lead:
        raise UserError("error.not_allowed")
    wanted = fold(named)
    subtree = await request.repo.subtree_units(member.unit_id)
    found = [unit for unit in subtree if wanted in fold(unit.name)]
    if not found:
        raise UserError("boards.unknown_unit", given=named)
    return found[0]
