"""A unit's participants over a period, as a lead reports them upwards (issue 14).

The count (số người tham gia) on the period's last day or today, growth against the same
date last year (people and %), new enrolments, rejoining, renewals, lapses, and the
retention rate (renewed in time / fallen due). /tiendo and /donvi of a lead, /xuat and
the weekly summary all read it from here, so the figures agree everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from commands.counts import scope_counts
from commands.render import period_label, program_label
from commands.side_by_side import side_by_side
from locales import Translator
from storage.repository import Repository
from tracker.models import Unit
from tracker.participant_counts import UnitCount
from tracker.percent import Percent
from tracker.periods import Period
from tracker.quotas import QuotaBook, total_plan_for
from tracker.renewals import (
    Growth,
    growth,
    retention_hundredths,
    same_date_last_year,
)
from tracker.rules import Rules


@dataclass(frozen=True)
class ProgramParticipants:
    program: str
    as_of: date
    count: int | None
    """None: no official figure imported for the unit by `as_of`."""
    last_year: int | None
    growth: Growth | None
    new: int
    rejoined: int
    renewed: int
    fallen_due: int
    retained: int
    lapsed: int
    plan: tuple[Period, int] | None = None
    """The unit's plan for participants in total that the count is measured against."""

    @property
    def retention(self) -> int | None:
        """Renewed in time / fallen due, in hundredths of a percent."""
        return retention_hundredths(self.retained, self.fallen_due)


async def participant_report(
    repo: Repository,
    unit_id: int,
    period: Period,
    today: date,
    grace_days: int,
    programs: tuple[str, ...],
    *,
    plans: bool = True,
) -> list[ProgramParticipants]:
    """One line of figures per program for the subtree of `unit_id` over `period`.
    `plans`: False leaves out the unit's plan for participants in total (not read), for
    a view that reads the plans of its units together (`with_plans`)."""
    as_of = min(today, period.last)
    (now_counts, then_counts), enrolled, retained, books = await side_by_side(
        _counts(repo, unit_id, as_of, grace_days),
        repo.period_enrolments(unit_id, period, as_of),
        repo.retention(unit_id, period.first, period.last, today, grace_days),
        repo.total_plan_books(unit_id) if plans else _no_plans(),
    )
    retention = {figures.program: figures for figures in retained}
    report = []
    for program in programs:
        current = now_counts.get(program)
        before = then_counts.get(program)
        count = None if current is None else current.count
        last_year = None if before is None else before.count
        kept = retention.get(program)
        report.append(
            ProgramParticipants(
                program=program,
                as_of=as_of,
                count=count,
                last_year=last_year,
                growth=None if count is None else growth(count, last_year),
                new=enrolled.get(program, (0, 0))[0],
                rejoined=enrolled.get(program, (0, 0))[1],
                renewed=kept.renewed if kept else 0,
                fallen_due=kept.fallen_due if kept else 0,
                retained=kept.retained if kept else 0,
                lapsed=kept.lapsed if kept else 0,
                plan=total_plan_for(period, books.get(program, {})),
            )
        )
    return report


async def _no_plans() -> dict[str, QuotaBook]:
    return {}


def with_plans(
    figures: list[ProgramParticipants], period: Period, plans: Mapping[str, QuotaBook]
) -> list[ProgramParticipants]:
    """Each program's figures with the unit's plan for participants in total that the
    count is measured against (`plans`: the unit's, program -> its book)."""
    return [
        replace(line, plan=total_plan_for(period, plans.get(line.program, {}))) for line in figures
    ]


async def _counts(
    repo: Repository, unit_id: int, as_of: date, grace_days: int
) -> tuple[dict[str, UnitCount], dict[str, UnitCount]]:
    """The unit's counts on `as_of` and on the same date last year."""
    figures = await repo.own_count_figures(unit_id)  # read once for both days
    return await side_by_side(
        scope_counts(repo, unit_id, as_of, grace_days, figures),
        scope_counts(repo, unit_id, same_date_last_year(as_of), grace_days, figures),
    )


def growth_text(t: Translator, line: ProgramParticipants) -> str:
    if line.growth is None:
        return t("participants_report.no_last_year")
    change = line.growth
    direction = "up" if change.people > 0 else "down" if change.people < 0 else "same"
    if change.hundredths is None:
        return t(f"participants_report.growth_{direction}_people", n=abs(change.people))
    return t(
        f"participants_report.growth_{direction}",
        n=abs(change.people),
        percent=Percent(change.hundredths),
    )


def report_lines(
    t: Translator, rules: Rules, unit: Unit, lines: list[ProgramParticipants]
) -> list[str]:
    """The block a lead sees under their progress or unit ranking."""
    shown = [t("participants_report.title", unit=unit.name)]
    for line in lines:
        name = program_label(t, rules, line.program)
        if line.count is None:
            head = t("participants_report.no_count", program=name)
        else:
            head = t(
                "participants_report.count",
                program=name,
                count=line.count,
                n=line.count,  # picks the plural form
                day=line.as_of,
                growth=growth_text(t, line),
            )
        rate = line.retention
        shown += [head, *_plan_lines(t, line)]
        shown += [
            t(
                "participants_report.flows",
                new=line.new,
                rejoined=line.rejoined,
                renewed=line.renewed,
                lapsed=line.lapsed,
                rate=Percent(rate),
                retained=line.retained,
                due=line.fallen_due,
            )
            if rate is not None
            else t(  # nobody fell due: no rate, and never "0/0" (rule 4)
                "participants_report.flows_none_due",
                new=line.new,
                rejoined=line.rejoined,
                renewed=line.renewed,
                lapsed=line.lapsed,
            ),
        ]
    return shown


def _plan_lines(t: Translator, line: ProgramParticipants) -> list[str]:
    """`  kế hoạch tổng số người tham gia năm 2026: 14.817/20.869 (71,00%)`: the count
    against the unit's plan for participants in total, saying so."""
    if line.plan is None:
        return []
    period, plan = line.plan
    label = period_label(t, period)
    if line.count is None:
        return [t("total_plans.line_no_count", period=label, plan=plan)]
    return [
        t(
            "total_plans.line",
            period=label,
            count=line.count,
            plan=plan,
            percent=Percent.of(line.count, plan),
        )
    ]


def summary_line(t: Translator, rules: Rules, lines: list[ProgramParticipants]) -> str | None:
    """The one line of the weekly summary; None when nothing is known of participants."""
    parts = []
    for line in lines:
        active = line.new or line.rejoined or line.renewed or line.lapsed or line.fallen_due
        if line.count is None and not active:
            continue
        rate = line.retention
        parts.append(
            t(
                "participants_report.summary_part",
                program=program_label(t, rules, line.program),
                count=t("participants_report.no_count_short") if line.count is None else line.count,
                growth=_short_growth(t, line),
                new=line.new + line.rejoined,
                renewed=line.renewed,
                lapsed=line.lapsed,
                rate=t("participants_report.no_rate") if rate is None else Percent(rate),
            )
        )
    return t("participants_report.summary", parts="; ".join(parts)) if parts else None


def _short_growth(t: Translator, line: ProgramParticipants) -> str:
    change = line.growth
    if change is None:
        return ""
    sign = "+" if change.people >= 0 else "-"
    if change.hundredths is None:
        return t("participants_report.short_growth_people", sign=sign, n=abs(change.people))
    return t(
        "participants_report.short_growth",
        sign=sign,
        n=abs(change.people),
        percent=Percent(change.hundredths),
    )
