"""`/huyhieu` (`/badges`): the badges the caller's entries have earned this year, dated."""

from __future__ import annotations

from collections import defaultdict

from commands.boards import people_board
from commands.context import Reply, Request
from leaderboards.badges import Badge, earned_badges, streaks
from leaderboards.ranking import RankedRow
from tracker.models import Member, TargetKind
from tracker.periods import PeriodKind, period_containing, sub_periods


async def badges(request: Request, args: list[str], member: Member) -> Reply:
    """List badges with the day each was earned; derived afresh, so voids take them back."""
    repo, t, today = request.repo, request.t, request.today
    year = period_containing(PeriodKind.YEAR, today)
    entries = await repo.member_entries(member.id, year.first, today)
    books = await repo.quota_books(TargetKind.MEMBER, member.id)
    unit = await repo.unit(member.unit_id)
    month_rows: dict[str, RankedRow] = {}
    for month in sub_periods(year, PeriodKind.MONTH):
        if month.last >= today:
            break  # top 3 is decided when a month is over
        board = (await people_board(repo, unit, month, request.rules.program_codes)).board
        row = board.line_of(member.id)
        if isinstance(row, RankedRow):
            month_rows[month.key] = row
    earned = earned_badges(
        entries,
        books,
        today,
        holidays=request.rules.holidays,
        month_rows=month_rows,
        count_over=request.rules.badge_count_over,
    )
    run = streaks(entries, today, holidays=request.rules.holidays)
    if not earned:
        return Reply(t("badges.none"))
    lines = [t("badges.title", year=str(year.first.year))]
    # Period badges come back every week or month: one line per badge, with how often.
    by_code: dict[str, list[Badge]] = defaultdict(list)
    for badge in earned:
        by_code[badge.code.value].append(badge)
    for code, times in by_code.items():
        latest = times[-1]
        detail = " ".join(part for part in (latest.program, latest.period) if part)
        lines.append(
            t(
                "badges.line",
                name=t(f"badge.{code}"),
                n=len(times),
                day=latest.earned_on,
                detail=f" ({detail})" if detail else "",
            )
        )
    lines.append(t("badges.streak", current=run.current, longest=run.longest))
    return Reply("\n".join(lines))
