"""Shared pieces of replies: how a period and a progress line read."""

from __future__ import annotations

from leaderboards.ranking import Standing
from locales import Translator
from tracker.models import Program
from tracker.periods import Period, PeriodKind, quarter_of
from tracker.progress import Pace, Progress


def period_label(t: Translator, period: Period) -> str:
    if period.kind is PeriodKind.WEEK:
        return t(
            "period.week",
            number=period.first.isocalendar()[1],
            first=period.first,
            last=period.last,
        )
    if period.kind is PeriodKind.MONTH:
        return t("period.month", month=f"{period.first.month:02d}", year=str(period.first.year))
    if period.kind is PeriodKind.QUARTER:
        return t("period.quarter", quarter=quarter_of(period.first), year=str(period.first.year))
    return t("period.year", year=str(period.first.year))


def pace_text(t: Translator, progress: Progress) -> str:
    if progress.pace is None:
        return t("pace.no_target")
    if progress.reached:
        return t("pace.reached")
    if progress.pace is Pace.ON_TRACK:
        return t("pace.on_track")
    return t(f"pace.{progress.pace.value}", n=progress.gap)


def progress_line(t: Translator, program: Program, progress: Progress) -> str:
    """`TN: 7/10 (70%) · chậm 1` — or the bare count when there is no target."""
    if progress.target is None:
        return t("progress.line_no_target", code=program.code, achieved=progress.achieved)
    return t(
        "progress.line",
        code=program.code,
        achieved=progress.achieved,
        target=progress.target,
        percent=progress.percent,
        pace=pace_text(t, progress),
    )


_MEDALS = {1: "🥇 ", 2: "🥈 ", 3: "🥉 "}


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
