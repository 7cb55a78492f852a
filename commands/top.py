"""`/bxh [kỳ] [loại hình]` (`/top`): the caller's unit ranked, their own line always shown.

In a team group only the top and the totals are shown: nobody's low rank is posted
where everyone reads it. In private the caller also sees their neighbours.
"""

from __future__ import annotations

from commands.boards import people_view, unit_total
from commands.context import Reply, Request
from commands.grammar import parse_board_args
from commands.render import board_line, period_label, programs_label, unit_total_line
from commands.side_by_side import side_by_side
from commands.total_standing import total_lines, total_standings
from leaderboards.ranking import Gap, RankedRow
from tracker.models import Member

GROUP_TOP = 5
SMS_TOP = 5
TOP, AROUND = 10, 2  # a private chat: the top ten, and two either side of oneself


def group_top(top: list[RankedRow], ranked_count: int) -> list[RankedRow]:
    """What a group may see: the top five at most, never more than the better half of
    the team, and only those who achieved something, so no one's low rank is posted.
    `top`: the first rows of the board; `ranked_count`: how many it ranks in all."""
    shown = min(GROUP_TOP, (ranked_count + 1) // 2)
    return [row for row in top[:shown] if row.standing.achieved > 0]


async def top(request: Request, args: list[str], member: Member) -> Reply:
    """Rank the people of the caller's unit for a period and program(s)."""
    period, programs, _ = parse_board_args(args, request.today, request.rules)
    unit = await request.repo.unit(member.unit_id)
    in_group = request.group_chat_id is not None
    if in_group:
        size, around = GROUP_TOP, 0
    elif request.t.plain:  # one SMS: the top 5 and the sender's own line
        size, around = SMS_TOP, 0
    else:
        size, around = TOP, AROUND
    people_read = people_view(
        request.repo, unit, period, programs, member.id, top=size, around=around
    )
    if request.t.plain:  # one SMS: the top 5 and the sender's own line
        people = await people_read
    else:
        # The board, the unit's own line and its total plans, read side by side.
        people, total, standings = await side_by_side(
            people_read,
            unit_total(request.repo, unit, period, programs),
            total_standings(
                request.repo, unit.id, period, request.today, request.rules.grace_days, programs
            ),
        )
    t = request.t
    lines = [
        t(
            "boards.top_title",
            period=period_label(t, period),
            unit=unit.name,
            programs=programs_label(t, request.rules, programs),
        )
    ]
    if in_group:
        rows: list[RankedRow | Gap] = [*group_top(people.top, people.ranked_count)]
    else:
        rows = people.window
    for row in rows:
        if isinstance(row, Gap):
            if not request.t.plain:  # an SMS has no room for it
                lines.append(t("boards.gap", n=row.hidden))
        elif isinstance(row, RankedRow):
            mine = row.standing.key == member.id and not in_group
            lines.append(board_line(t, row.rank, row.standing, mine=mine))
    unranked = people.unranked
    if unranked and not in_group and not request.t.plain:
        named = ", ".join(f"{s.name} ({t.number(s.achieved)})" for s in unranked[:10])
        lines.append(t("boards.no_quota", names=named))
    own = people.own
    if own is None and not in_group and not member.is_lead:
        lines.append(t("boards.not_listed"))
    if request.t.plain:
        return Reply("\n".join(lines))  # SMS: the top 5 and one's own rank, no more
    # The unit's own line, as its parent's /donvi shows it: its plan, else its members'
    # targets added up; entries credited to the unit they were logged in.
    lines.append(unit_total_line(t, t("plans.whole_unit"), total))
    # Beside it, the unit's plan for participants in total where it has one, saying so.
    lines += total_lines(t, request.rules, standings, unit.id)
    return Reply("\n".join(lines))
