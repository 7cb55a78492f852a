"""The participants part of `/xuat`: per unit (the scope and the units right under it)
and program, the figures a lead reports upwards (`commands.participant_report`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from commands.context import Request
from commands.participant_report import ProgramParticipants, participant_report
from commands.render import program_label
from locales import Translator
from tracker.models import Unit
from tracker.percent import completion_hundredths
from tracker.periods import Period

if TYPE_CHECKING:  # openpyxl is imported where the workbook is built (commands.export)
    from openpyxl.worksheet.worksheet import Worksheet

PARTICIPANT_HEADER_KEYS = (
    "unit",
    "program",
    "count",
    "day",
    "last_year",
    "growth_people",
    "growth_percent",
    "new",
    "rejoined",
    "renewed",
    "lapsed",
    "fallen_due",
    "retained",
    "retention",
    "total_plan",
    "total_plan_percent",
)
"""The columns, named in the reader's language by `sheet.participant_header.<key>`."""


def participant_headers(t: Translator) -> tuple[str, ...]:
    return tuple(t(f"sheet.participant_header.{key}") for key in PARTICIPANT_HEADER_KEYS)


@dataclass(frozen=True)
class ParticipantRow:
    unit: str
    program: str
    """Named in full, as the program sheets are titled: `BHXH tự nguyện`."""
    figures: ProgramParticipants

    def cells(self) -> tuple[Any, ...]:
        f = self.figures
        growth = f.growth
        change = None if growth is None else growth.people
        percent = None if growth is None or growth.hundredths is None else growth.hundredths
        signed = (
            None if percent is None or change is None else (-percent if change < 0 else percent)
        )
        rate = f.retention
        return (
            self.unit,
            self.program,
            f.count,
            f.as_of.isoformat(),
            f.last_year,
            change,
            None if signed is None else signed / 100,
            f.new,
            f.rejoined,
            f.renewed,
            f.lapsed,
            f.fallen_due,
            f.retained,
            None if rate is None else rate / 100,
            *_plan_cells(f),
        )


def _plan_cells(f: ProgramParticipants) -> tuple[int | None, float | None]:
    """The unit's plan for participants in total and the count's share of it, floored."""
    if f.plan is None:
        return None, None
    plan = f.plan[1]
    share = completion_hundredths(f.count, plan) if f.count is not None else None
    return plan, None if share is None else share / 100


async def participant_rows(
    request: Request, roots: list[Unit], units: list[Unit], period: Period
) -> list[ParticipantRow]:
    """Each root and each unit right under it, every program."""
    shown = [u for root in roots for u in (root, *(c for c in units if c.parent_id == root.id))]
    rows = []
    for unit in shown:
        for figures in await participant_report(
            request.repo, unit.id, period, request.today, request.rules.grace_days,
            request.rules.program_codes,
        ):  # fmt: skip
            named = program_label(request.t, request.rules, figures.program)
            rows.append(ParticipantRow(unit.path, named, figures))
    return rows


def fill_participant_sheet(sheet: Worksheet, rows: list[ParticipantRow], t: Translator) -> None:
    sheet.append(participant_headers(t))
    for row in rows:
        sheet.append(row.cells())
    sheet.freeze_panes = "A2"


def build_participants_csv(rows: list[ParticipantRow], t: Translator) -> bytes:
    """UTF-8 with a BOM, as the progress CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(participant_headers(t))
    for row in rows:
        writer.writerow("" if cell is None else cell for cell in row.cells())
    return buffer.getvalue().encode("utf-8-sig")
