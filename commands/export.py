"""`/xuat [kỳ]` (`/export`): the subtree's progress per member as an .xlsx and a .csv.

The workbook has a summary sheet (all programs together), a sheet per program and one
of participants per unit (a second .csv carries those too);
numbers are numbers, headers Vietnamese. Text that a spreadsheet would read as a
formula (`=`, `+`, `-`, `@`, tab, CR first) is neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from commands.audit import scope_of
from commands.boards import people_board
from commands.context import Attachment, Reply, Request
from commands.export_participants import (
    PARTICIPANTS_SHEET,
    ParticipantRow,
    build_participants_csv,
    fill_participant_sheet,
    participant_rows,
)
from commands.grammar import parse_period_words
from commands.render import period_label
from leaderboards.ranking import Standing
from tracker.models import Member, Unit
from tracker.periods import Period

HEADERS = ("Họ và tên", "Số điện thoại", "Đơn vị", "Đã đạt", "Chỉ tiêu", "Tỷ lệ hoàn thành (%)")
CSV_HEADERS = ("Loại hình", *HEADERS)
SUMMARY_SHEET = "Tổng hợp"
ALL_PROGRAMS = "Tất cả"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ProgressRow:
    name: str
    phone: str
    unit: str
    achieved: int
    target: int | None
    percent: int | None

    def cells(self) -> tuple[str, str, str, int, int | None, int | None]:
        return (
            neutralise(self.name),
            neutralise(self.phone),
            neutralise(self.unit),
            self.achieved,
            self.target,
            self.percent,
        )


def neutralise(text: str) -> str:
    """Text a spreadsheet must show as text, never evaluate."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def build_xlsx(
    summary: list[ProgressRow],
    programs: list[tuple[str, list[ProgressRow]]],
    participants: list[ParticipantRow] | None = None,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SUMMARY_SHEET
    sheets = [(sheet, summary)]
    sheets += [(workbook.create_sheet(code), rows) for code, rows in programs]
    for worksheet, rows in sheets:
        worksheet.append(HEADERS)
        for row in rows:
            worksheet.append(row.cells())
        worksheet.freeze_panes = "A2"
        for column, width in enumerate((28, 14, 40, 10, 10, 12), start=1):
            worksheet.column_dimensions[get_column_letter(column)].width = width
    if participants is not None:
        fill_participant_sheet(workbook.create_sheet(PARTICIPANTS_SHEET), participants)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_csv(summary: list[ProgressRow], programs: list[tuple[str, list[ProgressRow]]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Vietnamese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for code, rows in [*programs, (ALL_PROGRAMS, summary)]:
        for row in rows:
            writer.writerow("" if cell is None else cell for cell in (code, *row.cells()))
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
    programs = [(code, await _rows(request, roots, period, (code,), paths)) for code in codes]
    summary = await _rows(request, roots, period, codes, paths)
    participants = await participant_rows(request, roots, units, period)
    name = f"bao-cao-tien-do-{period.key}"
    t = request.t
    text = t(
        "leads.export_done",
        period=period_label(t, period),
        unit=", ".join(root.name for root in roots),
        n=len(summary),
    )
    return Reply(
        text,
        attachments=[
            Attachment(f"{name}.xlsx", build_xlsx(summary, programs, participants), is_image=False),
            Attachment(f"{name}.csv", build_csv(summary, programs), is_image=False),
            Attachment(
                f"nguoi-tham-gia-{period.key}.csv",
                build_participants_csv(participants),
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
                    standing.percent,
                )
            )
    return rows
