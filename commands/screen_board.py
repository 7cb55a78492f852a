"""What the office TV shows of a unit, gathered from storage the way the chats read it.

People boards are `/bxh` read by storage (`people_view`) and cut by the team-group rule
(`group_top`): the page hangs where visitors walk past, so it shows what a team group
may see, no more. Unit boards are `/donvi`'s. Totals against plan are the summary's.
Badges need every member's entries, so they are gathered apart (`screen_badges`) and
less often than the boards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from commands.boards import people_view, unit_board
from commands.summary_data import new_badges, unit_targets, unit_totals
from commands.summary_text import MemberBadges, Total
from commands.top import GROUP_TOP, group_top
from commands.total_standing import TotalStanding, total_standings
from leaderboards.ranking import RankedRow
from storage.repository import Repository
from storage.screen_repository import Celebration
from tracker.models import TargetKind, Unit
from tracker.periods import Period, PeriodKind, local_day, period_containing
from tracker.rules import Rules

SCREEN_UNITS = 10
"""Unit rows that fit a 1080p screen at a size read from three metres."""
SCREEN_CELEBRATIONS = 3
SCREEN_BADGES = 3
"""Lines of news that fit under the plan, each on one line."""
PERIOD_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH)


class BoardKind(StrEnum):
    PEOPLE = "people"
    UNITS = "units"


@dataclass(frozen=True)
class ScreenBoard:
    kind: BoardKind
    period: Period
    rows: tuple[RankedRow, ...]


@dataclass(frozen=True)
class PlanLine:
    period: Period
    totals: tuple[Total, ...]
    """Per program with a target or a result, then all programs together (code "")."""


@dataclass(frozen=True)
class ScreenData:
    unit: Unit
    boards: tuple[ScreenBoard, ...]
    """People then units, each for the week and the month (units only when it has any)."""
    plans: tuple[PlanLine, ...]
    today: int
    """Participants logged for today so far, all programs, in the subtree."""
    celebrations: tuple[Celebration, ...]
    computed_at: datetime
    total_plans: tuple[TotalStanding, ...] = ()
    """The unit against its plans for participants in total (this month: the year's)."""


async def gather_screen(repo: Repository, rules: Rules, unit: Unit, now: datetime) -> ScreenData:
    today = local_day(now)
    codes = rules.program_codes
    periods = [period_containing(kind, today) for kind in PERIOD_KINDS]
    boards: list[ScreenBoard] = []
    for period in periods:
        view = await people_view(
            repo, unit, period, codes, member_id=0, top=GROUP_TOP, around=0, unranked=0
        )
        rows = tuple(group_top(view.top, view.ranked_count))
        boards.append(ScreenBoard(BoardKind.PEOPLE, period, rows))
    subtree = await repo.subtree_units(unit.id)
    if any(child.parent_id == unit.id for child in subtree):
        for period in periods:
            ranked = (await unit_board(repo, unit, period, codes)).ranked
            boards.append(ScreenBoard(BoardKind.UNITS, period, tuple(ranked[:SCREEN_UNITS])))
    first = min(period.first for period in periods)
    daily = await repo.daily_totals(unit.id, first, today)
    plans = []
    for period in periods:
        achieved: dict[str, int] = {}
        for day, programs in daily.items():
            if day in period:
                for code, count in programs.items():
                    achieved[code] = achieved.get(code, 0) + count
        targets = await unit_targets(repo, unit, period, codes)
        plans.append(PlanLine(period, unit_totals(achieved, targets, codes)))
    month = periods[-1]
    celebrations = await repo.recent_celebrations(unit.id, month.key, SCREEN_CELEBRATIONS)
    standings = await total_standings(repo, unit.id, month, today, rules.grace_days, codes)
    return ScreenData(
        unit=unit,
        boards=tuple(boards),
        plans=tuple(plans),
        today=sum(daily.get(today, {}).values()),
        celebrations=tuple(celebrations),
        computed_at=now,
        total_plans=tuple(standings),
    )


async def screen_badges(
    repo: Repository, rules: Rules, unit: Unit, now: datetime
) -> tuple[MemberBadges, ...]:
    """Badges the unit's people earned this week, rarest first (as a summary lists them)."""
    today = local_day(now)
    week = period_containing(PeriodKind.WEEK, today)
    books = await repo.subtree_quota_books(TargetKind.MEMBER, unit.id)
    badges = await new_badges(repo, rules, unit, week, today, books)
    return badges[:SCREEN_BADGES]
