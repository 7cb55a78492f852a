"""`/xuat [kỳ]` (`/export`): the subtree's progress per member as an .xlsx and a .csv.

The workbook has a summary sheet (all programs together), a sheet per program and one
of participants per unit (a second .csv carries those too); numbers are numbers,
titles and headers in the reader's language. Text that a
spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) is neutralised
with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from commands.audit import scope_of
from commands.boards import people_board
from commands.context import Attachment, Reply, Request
from commands.export_participants import (
    ParticipantRow,
    build_participants_csv,
    fill_participant_sheet,
    participant_rows,
)
from commands.export_units import add_unit_sheet, unit_rows
from commands.grammar import parse_period_words
from commands.render import period_label, program_label
from commands.spreadsheet import neutralise
from leaderboards.ranking import Standing
from locales import Translator
from tracker.models import Member, Unit
from tracker.percent import format_percent
from tracker.periods import Period

if TYPE_CHECKING:  # openpyxl itself is imported where a workbook is built
    from openpyxl import Workbook

HEADER_KEYS = ("name", "phone", "unit", "achieved", "target", "percent")
"""The columns, named in the reader's language by `sheet.header.<key>`."""


@dataclass(frozen=True)
class ProgressRow:
    name: str
    phone: str
    unit: str
    achieved: int
    target: int | None
    completion: int | None
    """Hundredths of a percent, floored (10202 is 102,02%)."""

    def cells(self) -> tuple[str, str, str, int, int | None, Decimal | None]:
        return (
            neutralise(self.name),
            neutralise(self.phone),
            neutralise(self.unit),
            self.achieved,
            self.target,
            None if self.completion is None else Decimal(self.completion).scaleb(-2),
        )

    def csv_cells(self) -> tuple[str | int, ...]:
        """As in the workbook; the completion written as a report writes it (102,02%)."""
        shown = "" if self.completion is None else format_percent(self.completion)
        target = "" if self.target is None else self.target
        return (*self.cells()[:4], target, shown)


def headers(t: Translator) -> tuple[str, ...]:
    return tuple(t(f"sheet.header.{key}") for key in HEADER_KEYS)


def build_xlsx(
    summary: list[ProgressRow],
    programs: list[tuple[str, list[ProgressRow]]],
    t: Translator | None = None,
    finish: Callable[[Workbook], None] | None = None,
    participants: list[ParticipantRow] | None = None,
) -> bytes:
    """The summary sheet, a sheet per program; `finish` adds more (the units sheet)."""
    # Here, not at the top: openpyxl (about 6 MB resident) loads at the first workbook,
    # not with the bot (issue 15: a process's memory).
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    t = t or Translator()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = t("sheet.summary")
    sheets = [(sheet, summary)]
    sheets += [(workbook.create_sheet(code), rows) for code, rows in programs]
    for worksheet, rows in sheets:
        worksheet.append(headers(t))
        for row in rows:
            worksheet.append(row.cells())
            worksheet.cell(worksheet.max_row, len(HEADER_KEYS)).number_format = "0.00"
        worksheet.freeze_panes = "A2"
        for column, width in enumerate((28, 14, 40, 10, 10, 12), start=1):
            worksheet.column_dimensions[get_column_letter(column)].width = width
    if finish is not None:
        finish(workbook)
    if participants is not None:
        fill_participant_sheet(workbook.create_sheet(t("sheet.participants")), participants, t)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_csv(
    summary: list[ProgressRow],
    programs: list[tuple[str, list[ProgressRow]]],
    t: Translator | None = None,
) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Vietnamese names correctly."""
    t = t or Translator()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((t("sheet.header.program"), *headers(t)))
    for code, rows in [*programs, (t("sheet.all_programs"), summary)]:
        for row in rows:
            writer.writerow((code, *row.csv_cells()))
    return buffer.getvalue().encode("utf-8-sig")


async def export(request: Request, args: list[str], member: Member) -> Reply:
    """Send the progress report of the caller's subtree for a period (default: month)."""
    period = parse_period_words(args, request.today)
    scope = scope_of(member)
    units = await request.repo.units_in_scope(scope)
    roots = [u for u in units if u.id == scope] if scope is not None else None
    roots = roots or [u for u in units if u.parent_id is None]
    paths = {unit.id: unit.path for unit in units}
    codes = request.rules.program_codes
    t = request.t
    # A sheet (and the CSVs' and units sheet's program column) per program, named in
    # full: `BHXH tự nguyện`.
    named = {code: program_label(t, request.rules, code) for code in codes}
    programs = [
        (named[code], await _rows(request, roots, period, (code,), paths)) for code in codes
    ]
    summary = await _rows(request, roots, period, codes, paths)
    units_sheet = await unit_rows(request.repo, roots, period, named)
    participants = await participant_rows(request, roots, units, period)
    name = t("sheet.export_file", period=period.key)
    text = t(
        "leads.export_done",
        period=period_label(t, period),
        unit=", ".join(root.name for root in roots),
        n=len(summary),
    )
    return Reply(
        text,
        attachments=[
            Attachment(
                f"{name}.xlsx",
                build_xlsx(
                    summary,
                    programs,
                    t,
                    finish=lambda book: add_unit_sheet(book, units_sheet, t),
                    participants=participants,
                ),
                is_image=False,
            ),
            Attachment(f"{name}.csv", build_csv(summary, programs, t), is_image=False),
            Attachment(
                t("sheet.participants_file", period=period.key) + ".csv",
                build_participants_csv(participants, t),
                is_image=False,
            ),
        ],
    )


async def _rows(
    request: Request,
    roots: list[Unit],
    period: Period,
    programs: tuple[str, ...],
    paths: dict[int, str],
) -> list[ProgressRow]:
    rows: list[ProgressRow] = []
    for root in roots:
        people = await people_board(request.repo, root, period, programs)
        members = {m.id: m for m in await request.repo.subtree_members(root.id)}
        standings: list[Standing] = [row.standing for row in people.board.ranked]
        standings += people.board.unranked
        for standing in standings:
            person = members[standing.key]
            rows.append(
                ProgressRow(
                    person.name,
                    person.phone,
                    paths.get(person.unit_id, ""),
                    standing.achieved,
                    standing.target,
                    standing.completion,
                )
            )
    return rows
