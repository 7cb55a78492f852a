"""Shared pieces of replies: how a period and a progress line read."""

from __future__ import annotations

from leaderboards.ranking import Standing
from leaderboards.units import UnitTotal
from locales import Translator
from tracker.models import Program
from tracker.percent import Percent
from tracker.periods import Period, PeriodKind, quarter_of
from tracker.progress import Pace, Progress
from tracker.quotas import TargetSource, UnitTarget
from tracker.rules import Rules

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def program_name(t: Translator, program: Program) -> str:
    """The program as a lead writes it in a report, `BHXH tự nguyện` (its name in
    config/rules.toml, the one home of the names); its code `TN` in an SMS, where there
    is no room. Codes stay what people type, chart labels and buttons."""
    return program.code if t.plain else program.name(t.language)


def program_label(t: Translator, rules: Rules, code: str) -> str:
    """`program_name` by code; the code itself if no program has it."""
    program = rules.program(code)
    return code if program is None else program_name(t, program)


def programs_label(t: Translator, rules: Rules, codes: tuple[str, ...]) -> str:
    """A board's programs: `BHXH tự nguyện + BHYT hộ gia đình`; `TN+YT` in an SMS."""
    joiner = "+" if t.plain else " + "
    return joiner.join(program_label(t, rules, code) for code in codes)


def period_label(t: Translator, period: Period) -> str:
    if period.kind is PeriodKind.WEEK:
        return t(
            "period.week",
            number=period.first.isocalendar()[1],
            first=period.first,
            last=period.last,
            # An SMS has no room for the year twice: `sms.period.week` shows 16/11-22/11.
            first_day=f"{period.first.day:02d}/{period.first.month:02d}",
            last_day=f"{period.last.day:02d}/{period.last.month:02d}",
        )
    if period.kind is PeriodKind.MONTH:
        return t("period.month", month=f"{period.first.month:02d}", year=str(period.first.year))
    if period.kind is PeriodKind.QUARTER:
        return t(
            "period.quarter", roman=_ROMAN[quarter_of(period.first)], year=str(period.first.year)
        )
    return t("period.year", year=str(period.first.year))


def pace_text(t: Translator, progress: Progress) -> str:
    if progress.pace is None:
        return t("pace.no_target")
    if progress.closed and progress.target is not None:
        return closed_text(t, progress.achieved, progress.target)
    if progress.reached:
        return t("pace.reached")
    if progress.pace is Pace.ON_TRACK:
        return t("pace.on_track")
    return t(f"pace.{progress.pace.value}", n=progress.gap)


def closed_text(t: Translator, achieved: int, target: int) -> str:
    """A period that is over: met, exceeded by N or short by N, never a pace."""
    if achieved == target:
        return t("plans.closed_met")
    if achieved > target:
        return t("plans.closed_over", n=achieved - target)
    return t("plans.closed_short", n=target - achieved)


def unit_total_line(t: Translator, label: str, total: UnitTotal, *, pace: str | None = None) -> str:
    """`Cả đơn vị: 1.609/1.577 (102,02%) · kế hoạch giao`: a unit against its plan, or
    its members' targets added up, saying which; a differing members' sum beside a plan."""
    target = total.target
    percent = Percent.of(total.achieved, target.target)
    if target.target is None or percent is None:
        return t("plans.unit_line_no_target", unit=label, achieved=total.achieved)
    return t(
        "plans.unit_line" if pace is None else "plans.unit_line_pace",
        pace=pace,
        unit=label,
        achieved=total.achieved,
        target=target.target,
        percent=percent,
        source=target_source(t, target),
    )


def target_source(t: Translator, target: UnitTarget) -> str:
    """`kế hoạch giao`, `tổng chỉ tiêu cá nhân`, or the plan with a differing members' sum
    beside it: `kế hoạch giao (tổng chỉ tiêu cá nhân 360)`."""
    if target.source is TargetSource.MEMBERS:
        return t("plans.source_members")
    if target.differs:
        return t("plans.source_plan_and_members", members=target.members)
    return t("plans.source_plan")


def progress_line(t: Translator, program: Program, progress: Progress) -> str:
    """`TN: 7/10 (70%) · chậm 1` — or the bare count when there is no target."""
    if progress.target is None:
        return t(
            "progress.line_no_target", program=program_name(t, program), achieved=progress.achieved
        )
    return t(
        "progress.line",
        program=program_name(t, program),
        achieved=progress.achieved,
        target=progress.target,
        percent=progress.percent,
        pace=pace_text(t, progress),
    )


_MEDALS = {1: "🥇 ", 2: "🥈 ", 3: "🥉 "}


def unit_board_line(
    t: Translator, rank: int, standing: Standing, target: UnitTarget, *, mine: bool = False
) -> str:
    """A unit on `/donvi`: `1. Phường Hạc Thành — 30/25 (120,00%) · kế hoạch giao`. An
    SMS has no room for the source: the plain board line."""
    if t.plain:
        return board_line(t, rank, standing, mine=mine)
    return t(
        "plans.unit_row",
        line=board_line(t, rank, standing, mine=mine),
        source=target_source(t, target),
    )


def board_line(t: Translator, rank: int, standing: Standing, *, mine: bool = False) -> str:
    """`🥇 1. Nguyễn Thị Lan — 12/10 (120%)`; the caller's own line is pointed at."""
    marker = t("boards.mine") if mine else _MEDALS.get(rank, "")
    return t(
        "boards.line",
        marker=marker,
        rank=rank,
        name=standing.name,
        achieved=standing.achieved,
        target=standing.target or 0,
        percent=standing.percent,
    )
