"""Read what a summary or a chart shows from storage, through the leaderboard layer.

Totals and the trend credit each entry to the unit it was logged in (as unit boards
do); the top and the most improved rank the people now in the unit (as `/bxh` does).
A unit's target is its own quota where a lead set one, else the sum of its members'.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from commands.boards import PeopleBoard, people_board, unit_board, unit_total
from commands.participant_report import participant_report, summary_line
from commands.render import period_label
from commands.summary_text import (
    BADGE_ORDER,
    SUMMARY_TOP,
    MemberBadges,
    SummaryData,
    Total,
    compose_summary,
    most_improved,
    shareable_top,
    trend_chart,
)
from commands.total_standing import total_standings
from leaderboards.badges import Badge, earned_badges
from leaderboards.chart_data import MAX_BARS, Bar, ProgressChart, TrendChart
from leaderboards.ranking import RankedRow
from locales import Translator
from storage.repository import Repository
from tracker.models import TargetKind, Unit
from tracker.percent import Percent
from tracker.periods import Period, PeriodKind, period_containing
from tracker.quotas import QuotaBook
from tracker.rules import Rules

MemberBooks = dict[int, dict[str, QuotaBook]]

CAPTION_LIMIT = 1024
"""Telegram's longest photo caption (`telegram.constants.MessageLimit.CAPTION_LENGTH`,
checked against it in tests): the summary is its chart's caption."""


async def unit_targets(
    repo: Repository, unit: Unit, period: Period, codes: tuple[str, ...]
) -> dict[str, int | None]:
    """Per program: the unit's target as every view of the unit shows it (`unit_total`:
    its own plan, else its sub-units' and members' targets added up)."""
    return {code: (await unit_total(repo, unit, period, (code,))).target.target for code in codes}


def unit_totals(
    achieved: dict[str, int], targets: dict[str, int | None], codes: tuple[str, ...]
) -> tuple[Total, ...]:
    """Per program with a target or a result, then all programs together."""
    per_program = [
        Total(code, achieved.get(code, 0), targets[code])
        for code in codes
        if targets[code] is not None or achieved.get(code)
    ]
    known = [total.target for total in per_program if total.target is not None]
    overall = Total("", sum(achieved.get(code, 0) for code in codes), sum(known) if known else None)
    return (*per_program, overall)


def _percents(board: PeopleBoard) -> dict[int, tuple[str, int | None]]:
    return {s.key: (s.name, s.completion) for s in board.board.order}


async def new_badges(
    repo: Repository, rules: Rules, unit: Unit, period: Period, today: date, books: MemberBooks
) -> tuple[MemberBadges, ...]:
    """Badges the unit's people earned inside `period`, rarest first.

    Top 3 of a month is left out: the summary's own top list already says it.
    """
    year = period_containing(PeriodKind.YEAR, period.last)
    found: list[tuple[int, MemberBadges]] = []
    order = {code: index for index, code in enumerate(BADGE_ORDER)}
    for member in sorted(await repo.subtree_members(unit.id), key=lambda m: m.id):
        # Entries after the period cannot earn a badge dated inside it: leave them out.
        entries = await repo.member_entries(member.id, year.first, period.last)
        earned: list[Badge] = [
            badge
            for badge in earned_badges(
                entries,
                books.get(member.id, {}),
                today,
                holidays=rules.holidays,
                count_over=rules.badge_count_over,
            )
            if badge.earned_on in period
        ]
        if earned:
            earned.sort(key=lambda badge: order[badge.code])
            pairs = tuple(dict.fromkeys((badge.code, badge.program) for badge in earned))
            found.append((min(order[code] for code, _ in pairs), MemberBadges(member.name, pairs)))
    found.sort(key=lambda item: item[0])
    return tuple(member for _, member in found)


async def gather_summary(
    repo: Repository,
    rules: Rules,
    unit: Unit,
    period: Period,
    today: date,
    top_size: int = SUMMARY_TOP,
) -> SummaryData:
    """Everything the summary of `unit` for the closed `period` shows."""
    codes = rules.program_codes
    board = await people_board(repo, unit, period, codes)
    before = await people_board(repo, unit, period.previous(), codes)
    improved = most_improved(
        _percents(board), {key: percent for key, (_, percent) in _percents(before).items()}
    )
    books = await repo.subtree_quota_books(TargetKind.MEMBER, unit.id)
    totals, daily = await _totals_by_day(repo, codes, unit, period, period.last)
    return SummaryData(
        unit_name=unit.name,
        period=period,
        totals=totals,
        top=shareable_top(board.board.ranked, top_size),
        most_improved=improved,
        badges=await new_badges(repo, rules, unit, period, today, books),
        daily=daily,
        programs=rules.programs,
        total_plans=tuple(
            await total_standings(repo, unit.id, period, today, rules.grace_days, codes)
        ),
    )


async def _totals_by_day(
    repo: Repository,
    codes: tuple[str, ...],
    unit: Unit,
    period: Period,
    until: date,
) -> tuple[tuple[Total, ...], tuple[int, ...]]:
    """The unit's totals against plan, and all programs' participants day by day."""
    daily = await repo.daily_totals(unit.id, period.first, min(until, period.last))
    achieved: dict[str, int] = defaultdict(int)
    for programs in daily.values():
        for code, count in programs.items():
            achieved[code] += count
    targets = await unit_targets(repo, unit, period, codes)
    days = (period.first + timedelta(days=n) for n in range(period.days))
    by_day = tuple(sum(daily.get(day, {}).get(code, 0) for code in codes) for day in days)
    return unit_totals(achieved, targets, codes), by_day


def chart_rows(board_rows: list[RankedRow], viewer: int | None, limit: int) -> list[RankedRow]:
    """The first `limit` rows; the viewer's own row replaces the last when it is further down."""
    shown = board_rows[:limit]
    if viewer is not None and all(row.standing.key != viewer for row in shown):
        own = next((row for row in board_rows if row.standing.key == viewer), None)
        if own is not None:
            shown = [*shown[: limit - 1], own]
    return shown


async def build_summary(
    repo: Repository,
    rules: Rules,
    unit: Unit,
    period: Period,
    today: date,
    *,
    so_far: bool,
    top_size: int = SUMMARY_TOP,
    t: Translator | None = None,
) -> tuple[str, TrendChart]:
    """The caption and trend chart of `unit`'s summary; `so_far` for a period still under
    way (the chart stops at today). Vietnamese unless `t` says otherwise (a lead's own
    copy): a group has no language of its own."""
    t = t or Translator()
    data = await gather_summary(repo, rules, unit, period, today, top_size)
    days = period.elapsed_days(today) if so_far else None
    figures = await participant_report(
        repo, unit.id, period, today, rules.grace_days, rules.program_codes
    )
    extra = summary_line(t, rules, figures)
    room = CAPTION_LIMIT - (0 if extra is None else len(extra) + 1)
    text = compose_summary(t, data, as_of=today if so_far else None, limit=room)
    text = text if extra is None else f"{text}\n{extra}"
    return text, trend_chart(t, data, days)


async def progress_chart(
    repo: Repository,
    rules: Rules,
    t: Translator,
    unit: Unit,
    period: Period,
    today: date,
    *,
    viewer: int | None,
    in_group: bool,
) -> ProgressChart | None:
    """Bars of the unit's child units when it has any, else of its people; None when
    nobody has a target. In a group only the shareable top of people is drawn."""
    codes = rules.program_codes
    children = [u for u in await repo.subtree_units(unit.id) if u.parent_id == unit.id]
    if children:
        rows = (await unit_board(repo, unit, period, codes)).ranked[:MAX_BARS]
        subtitle_key = "chart.progress_subtitle_units"
    else:
        ranked = (await people_board(repo, unit, period, codes)).board.ranked
        rows = (
            list(shareable_top(ranked, MAX_BARS))
            if in_group
            else (chart_rows(ranked, viewer, MAX_BARS))
        )
        subtitle_key = "chart.progress_subtitle_people"
    if not rows:
        return None
    under_way = period.first <= today <= period.last
    pace = period.elapsed_days(today) * 10_000 // period.days if under_way else None
    bars = [
        Bar(row.standing.name, row.standing.completion, row.standing.key == viewer and not children)
        for row in rows
    ]
    return ProgressChart(
        title=t("chart.progress_title", unit=unit.name, period=period_label(t, period)),
        subtitle=t(subtitle_key, day=min(today, period.last)),
        bars=bars,
        pace_completion=pace,
        pace_label=t("chart.pace", percent=Percent(pace or 0, whole=True)),
    )


async def unit_trend(
    repo: Repository, rules: Rules, t: Translator, unit: Unit, period: Period, today: date
) -> TrendChart:
    """The trend chart alone (what `/bieudo` shows beside the bars): daily totals and
    the plan, without the board, improvement and badges a summary also gathers."""
    codes = rules.program_codes
    totals, daily = await _totals_by_day(repo, codes, unit, period, today)
    data = SummaryData(unit.name, period, totals, (), None, (), daily)
    return trend_chart(t, data, period.elapsed_days(today))
