"""The units sheet of `/xuat`: a row per unit of the subtree and program, with its plan.

A unit is measured as everywhere else (`leaderboards.units`): entries logged in its
subtree against its own plan (kế hoạch giao), else its members' targets added up; the
members' sum is always shown beside, so the sheet reads straight into a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from commands.spreadsheet import neutralise
from leaderboards.units import subtree_totals
from locales import Translator
from storage.repository import Repository
from tracker.models import Unit
from tracker.percent import completion_hundredths
from tracker.periods import Period
from tracker.quotas import TargetSource

if TYPE_CHECKING:  # openpyxl is imported where the workbook is built (commands.export)
    from openpyxl import Workbook

UNIT_HEADER_KEYS = (
    "sheet.header.unit",
    "sheet.header.program",
    "sheet.header.achieved",
    "sheet.header.target",
    "plans.sheet_source",
    "plans.sheet_members",
    "sheet.header.percent",
)
SOURCE_KEYS = {TargetSource.PLAN: "plans.source_plan", TargetSource.MEMBERS: "plans.source_members"}


@dataclass(frozen=True)
class UnitRow:
    path: str
    program: str
    """Named in full, as the program sheets are titled: `BHXH tự nguyện`."""
    achieved: int
    target: int | None
    source: TargetSource
    members: int | None
    completion: int | None
    """Hundredths of a percent, floored."""

    def cells(self, t: Translator) -> tuple[object, ...]:
        return (
            neutralise(self.path),
            self.program,
            self.achieved,
            self.target,
            t(SOURCE_KEYS[self.source]) if self.target is not None else None,
            self.members,
            None if self.completion is None else Decimal(self.completion).scaleb(-2),
        )


async def unit_rows(
    repo: Repository, roots: list[Unit], period: Period, named: Mapping[str, str]
) -> list[UnitRow]:
    """Every unit under `roots` (roots first, then in path order), program by program;
    `named` maps each program's code to the name the sheet shows."""
    codes = tuple(named)
    rows: list[UnitRow] = []
    for root in roots:
        units = await repo.subtree_units(root.id)
        parts = await repo.unit_board_parts(root.id, period, codes)
        per_program = {
            code: subtree_totals(
                units, parts[code].credits, parts[code].unit_quotas, parts[code].member_targets
            )
            for code in codes
        }
        for unit in sorted(units, key=lambda u: u.path):
            for code in codes:
                total = per_program[code][unit.id]
                target = total.target
                rows.append(
                    UnitRow(
                        unit.path,
                        named[code],
                        total.achieved,
                        target.target,
                        target.source,
                        target.members,
                        completion_hundredths(total.achieved, target.target),
                    )
                )
    return rows


def add_unit_sheet(workbook: Workbook, rows: list[UnitRow], t: Translator) -> None:
    """The sheet, titled and headed in the reader's language."""
    from openpyxl.utils import get_column_letter  # loaded already: `workbook` is openpyxl's

    sheet = workbook.create_sheet(t("plans.sheet_units"))
    sheet.append([t(key) for key in UNIT_HEADER_KEYS])
    for row in rows:
        sheet.append(row.cells(t))
        sheet.cell(sheet.max_row, len(UNIT_HEADER_KEYS)).number_format = "0.00"
    sheet.freeze_panes = "A2"
    for column, width in enumerate((50, 10, 10, 10, 22, 14, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
