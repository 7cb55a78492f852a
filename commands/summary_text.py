"""A unit's summary for a closed period: pure data in, catalogue text and a chart out.

What a summary says, in this order: the unit's totals against plan per program and
all together; the top of the people board; the most improved person; the badges
earned in the period; and the trend chart. It is posted in the unit's team group,
where everyone reads it, so it never shows anyone's low rank: the top is cut the
way `/bxh` cuts it in a group, and improvement names only who gained the most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from commands.render import period_label, program_name
from commands.total_standing import TotalStanding, total_line
from leaderboards.badges import BadgeCode
from leaderboards.chart_data import TrendChart
from leaderboards.ranking import RankedRow
from locales import Translator
from tracker.models import Program
from tracker.percent import Percent
from tracker.periods import Period

SUMMARY_TOP = 5
BADGE_LINES = 8
"""Members named in the badge list; the rest are counted, so a big unit's post stays short."""

# The rarer badges first: a quarter's quota met says more than a first enrollment.
BADGE_ORDER = (
    BadgeCode.QUOTA_QUARTER,
    BadgeCode.QUOTA_MONTH,
    BadgeCode.TOP_3_MONTH,
    BadgeCode.CLUB_10,
    BadgeCode.STREAK,
    BadgeCode.QUOTA_WEEK,
    BadgeCode.MINIMUM_3,
    BadgeCode.FIRST_ENROLLMENT,
)


@dataclass(frozen=True)
class Total:
    code: str
    """A program code, or "" for all programs together."""
    achieved: int
    target: int | None


@dataclass(frozen=True)
class Improvement:
    name: str
    points: int
    """Completion gained over the period before, in hundredths of a point (> 0)."""
    completion: int
    """Completion in the summarised period, in hundredths of a percent."""


@dataclass(frozen=True)
class MemberBadges:
    name: str
    badges: tuple[tuple[BadgeCode, str | None], ...]
    """(badge, program for quota badges), in BADGE_ORDER."""


@dataclass(frozen=True)
class SummaryData:
    """Everything a summary shows, gathered from storage (see `commands.summary_data`)."""

    unit_name: str
    period: Period
    totals: tuple[Total, ...]
    """One per program that has a target or a result, then the all-programs total."""
    top: tuple[RankedRow, ...]
    """Already cut for a group: see `shareable_top`."""
    most_improved: Improvement | None
    badges: tuple[MemberBadges, ...]
    daily: tuple[int, ...]
    """Participants per day of the period, all programs, credited to the unit subtree."""
    programs: tuple[Program, ...] = ()
    """The programs by name (`BHXH tự nguyện`): a total line names its program in full."""
    total_plans: tuple[TotalStanding, ...] = ()
    """The unit against its plans for participants in total, where it has any."""


def shareable_top(ranked: Sequence[RankedRow], size: int = SUMMARY_TOP) -> tuple[RankedRow, ...]:
    """What a group may see (the rule of `/bxh` in a group): at most `size` rows, never more
    than the better half of the board, only people who achieved something."""
    shown = min(size, (len(ranked) + 1) // 2)
    return tuple(row for row in ranked[:shown] if row.standing.achieved > 0)


def most_improved(
    now: dict[int, tuple[str, int | None]], before: dict[int, int | None]
) -> Improvement | None:
    """Who gained the most completion points since the period before (member id ->
    (name, completion now), member id -> completion before, in hundredths of a percent);
    None when nobody gained."""
    best: Improvement | None = None
    for key, (name, completion) in sorted(now.items()):
        previous = before.get(key)
        if completion is None or previous is None or completion <= previous:
            continue
        candidate = Improvement(name, completion - previous, completion)
        if best is None or (candidate.points, candidate.completion) > (
            best.points,
            best.completion,
        ):
            best = candidate
    return best


def _total_line(t: Translator, total: Total, programs: tuple[Program, ...]) -> str:
    named = next((program for program in programs if program.code == total.code), None)
    label = program_name(t, named) if named else total.code or t("summary.all_programs")
    percent = Percent.of(total.achieved, total.target)
    if percent is None:
        return t("summary.total_no_target", label=label, achieved=total.achieved)
    return t(
        "summary.total",
        label=label,
        achieved=total.achieved,
        target=total.target or 0,
        percent=percent,
    )


def compose_summary(
    t: Translator, data: SummaryData, *, as_of: date | None = None, limit: int | None = None
) -> str:
    """The summary text, line by line, in the reader's language.

    `as_of`: the day a summary of a period still under way was made (a lead's /tonghop).
    `limit`: the most characters allowed (a photo caption: 1,024); badge lines are
    dropped, then counted, until the text fits.
    """
    shown = len(data.badges)
    text = _compose(t, data, as_of, shown)
    while limit is not None and len(text) > limit and shown > 0:
        shown -= 1
        text = _compose(t, data, as_of, shown)
    return text[:limit] if limit is not None else text


def _compose(t: Translator, data: SummaryData, as_of: date | None, badge_lines: int) -> str:
    period = period_label(t, data.period)
    title = (
        t("summary.title", period=period, unit=data.unit_name)
        if as_of is None
        else t("summary.title_so_far", period=period, unit=data.unit_name, day=as_of)
    )
    lines = [title, t("summary.totals")]
    lines += [_total_line(t, total, data.programs) for total in data.totals]
    lines += [
        t("summary.total_plan", line=total_line(t, data.programs, standing))
        for standing in data.total_plans
    ]
    if data.top:
        lines.append(t("summary.top"))
        for row in data.top:
            standing = row.standing
            lines.append(
                t(
                    "summary.top_line",
                    rank=row.rank,
                    name=standing.name,
                    achieved=standing.achieved,
                    target=standing.target or 0,
                    percent=standing.percent,
                )
            )
    if data.most_improved is not None:
        best = data.most_improved
        lines.append(
            t(
                "summary.improved",
                name=best.name,
                points=Percent(best.points),
                percent=Percent(best.completion),
            )
        )
    if data.badges:
        lines.append(t("summary.badges"))
        for member in data.badges[: min(badge_lines, BADGE_LINES)]:
            names = ", ".join(
                t(f"badge.{code.value}") + (f" ({program})" if program else "")
                for code, program in member.badges
            )
            lines.append(t("summary.badge_line", name=member.name, badges=names))
        hidden = len(data.badges) - min(badge_lines, BADGE_LINES)
        if hidden > 0:
            lines.append(t("summary.badges_more", n=hidden))
    if not any(total.achieved for total in data.totals):
        lines.append(t("summary.nothing_yet"))
    return "\n".join(lines)


def trend_chart(t: Translator, data: SummaryData, days_shown: int | None = None) -> TrendChart:
    """The cumulative achieved of all programs against the plan, for the chart."""
    overall = data.totals[-1]
    running, cumulative = 0, []
    for count in data.daily[: days_shown if days_shown is not None else len(data.daily)]:
        running += count
        cumulative.append(running)
    plan = t("chart.plan", target=overall.target) if overall.target else t("chart.no_plan")
    return TrendChart(
        title=f"{data.unit_name} · {period_label(t, data.period)}",
        subtitle=t("chart.trend_subtitle"),
        first=data.period.first,
        days=data.period.days,
        cumulative=cumulative,
        target=overall.target,
        achieved_label=t("chart.achieved"),
        plan_label=plan,
        thousands=t.number(1000)[1],
    )
