"""`/hoso <phone>` (`/dossier`): a member's year-end emulation dossier as one .xlsx page.

For a lead (their subtree) or an admin: the year's results per quarter and program
(achieved, target, completion %), the rank within the member's own unit each quarter
(as `/bxh` ranks it), the badges (as `/huyhieu` derives them), and the emulation score
and level with the projected year-end level (as `/thidua` computes them). The sheet is
Vietnamese, like the other official reports; numbers are numbers.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from commands.audit import managed_member
from commands.boards import combined_target, people_board
from commands.context import Attachment, Reply, Request
from commands.spreadsheet import neutralise
from leaderboards.badges import earned_badges
from leaderboards.emulation import assess
from leaderboards.emulation_rules import Tier
from leaderboards.ranking import RankedRow
from locales import Translator
from tracker.errors import UserError
from tracker.models import Member, TargetKind
from tracker.periods import PeriodKind, period_containing, sub_periods
from tracker.quotas import QuotaBook

if TYPE_CHECKING:  # openpyxl itself is imported where a workbook is built
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

QUARTER_HEADERS = ("quarter", "program", "achieved", "target", "percent", "rank", "ranked")
BADGE_HEADERS = ("badge", "times", "latest", "detail")
"""Columns, named in the reader's language by `sheet.header.<key>`."""
WIDTHS = (26, 14, 12, 12, 20, 18, 18)


@dataclass(frozen=True)
class QuarterLine:
    quarter: str
    program: str
    achieved: int
    target: int | None
    completion: int | None
    """Hundredths of a percent, floored."""
    rank: int | None
    ranked: int | None


@dataclass(frozen=True)
class BadgeLine:
    name: str
    times: int
    latest: str
    detail: str


@dataclass
class Dossier:
    year: int
    name: str
    phone: str
    unit: str
    quarters: list[QuarterLine] = field(default_factory=list)
    badges: list[BadgeLine] = field(default_factory=list)
    emulation: list[tuple[str, str | int]] = field(default_factory=list)


async def dossier(request: Request, args: list[str], member: Member) -> Reply:
    """Send the year-end dossier of a member the caller manages."""
    if not args or not all(token.isdigit() for token in args):
        raise UserError("dossier.usage")
    person = await managed_member(request, member, "".join(args))
    report = await gather_dossier(request, person)
    t = request.t
    name = t("sheet.dossier_file", year=str(report.year), phone=person.phone) + ".xlsx"
    text = t("dossier.done", year=str(report.year), name=person.name, phone=person.phone)
    content = build_dossier_xlsx(report, t)
    return Reply(text, attachments=[Attachment(name, content, is_image=False)])


async def gather_dossier(request: Request, person: Member) -> Dossier:
    repo, today, t = request.repo, request.today, request.t
    codes = request.rules.program_codes
    year = period_containing(PeriodKind.YEAR, today)
    unit = await repo.unit(person.unit_id)
    report = Dossier(year.first.year, person.name, person.phone, unit.path)
    for quarter in sub_periods(year, PeriodKind.QUARTER):
        everything = t("sheet.all_programs")
        for label, programs in [*((code, (code,)) for code in codes), (everything, codes)]:
            board = (await people_board(repo, unit, quarter, programs)).board
            line = board.line_of(person.id)
            standing = line.standing if isinstance(line, RankedRow) else line
            started = quarter.first <= today
            report.quarters.append(
                QuarterLine(
                    quarter.key,
                    label,
                    standing.achieved if standing else 0,
                    standing.target if standing else None,
                    standing.completion if standing else None,
                    line.rank if isinstance(line, RankedRow) and started else None,
                    len(board.order) if started else None,
                )
            )
    books = await repo.quota_books(TargetKind.MEMBER, person.id)
    month_rows: dict[str, RankedRow] = {}
    for month in sub_periods(year, PeriodKind.MONTH):
        if month.last >= today:
            break  # top 3 is decided when a month is over
        row = (await people_board(repo, unit, month, codes)).board.line_of(person.id)
        if isinstance(row, RankedRow):
            month_rows[month.key] = row
    entries = await repo.member_entries(person.id, year.first, today)
    holidays = request.rules.holidays
    earned = earned_badges(
        entries,
        books,
        today,
        holidays=holidays,
        month_rows=month_rows,
        count_over=request.rules.badge_count_over,
    )
    by_code: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for badge in earned:
        detail = " ".join(part for part in (badge.program, badge.period) if part)
        by_code[badge.code.value].append((badge.earned_on.strftime("%d/%m/%Y"), detail))
    report.badges = [
        BadgeLine(t(f"badge.{code}"), len(times), times[-1][0], times[-1][1])
        for code, times in by_code.items()
    ]
    report.emulation = await _emulation(request, person, books)
    return report


async def _emulation(
    request: Request, person: Member, books: Mapping[str, QuotaBook]
) -> list[tuple[str, str | int]]:
    rules, today = request.services.emulation, request.today
    year = period_containing(PeriodKind.YEAR, today)
    weighted: dict[str, Fraction] = defaultdict(Fraction)
    for member_id, _, program, term, count in await request.repo.term_totals(
        person.unit_id, year.first, year.last
    ):
        if member_id == person.id:
            weighted[program] += count * rules.term_weight(term)
    targets = {code: combined_target(year, books, (code,)) for code in request.rules.program_codes}
    retention = (  # as /thidua weighs it: asked only when a weight is set
        await request.repo.member_retention(person.unit_id, year.first, year.last, today)
        if rules.retention_weight
        else {}
    )
    result = assess(weighted, targets, year, today, rules, retention.get(person.id))

    t = request.t

    def tier(value: Tier | None) -> str:
        if value is None:
            return "—"
        names = rules.tier_names[value]
        return names.vi if t.language == "vi" else names.en

    return [
        (t("sheet.score"), int(result.score) if result.score is not None else "—"),
        (t("sheet.tier"), tier(result.tier)),
        (t("sheet.projected_score"), int(result.projected_score or 0)),
        (t("sheet.projected_tier"), tier(result.projected_tier)),
    ]


def build_dossier_xlsx(report: Dossier, t: Translator | None = None) -> bytes:
    """One sheet: who, the quarters, the badges, the emulation level."""
    # Here, not at the top: openpyxl (about 6 MB resident) loads at the first workbook,
    # not with the bot (issue 15: a process's memory).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    t = t or Translator()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = t("sheet.dossier")
    bold = Font(bold=True)
    sheet.append((t("sheet.dossier_title", year=str(report.year)),))
    sheet["A1"].font = Font(bold=True, size=14)
    for key, value in (("name", report.name), ("phone", report.phone), ("unit", report.unit)):
        sheet.append((t(f"sheet.header.{key}"), neutralise(value)))
    sheet.append(())
    _section(sheet, t("sheet.quarters"), [t(f"sheet.header.{k}") for k in QUARTER_HEADERS], bold)
    for line in report.quarters:
        sheet.append(
            (
                line.quarter,
                line.program,
                line.achieved,
                line.target,
                None if line.completion is None else Decimal(line.completion).scaleb(-2),
                line.rank,
                line.ranked,
            )
        )
    sheet.append(())
    _section(sheet, t("sheet.badges"), [t(f"sheet.header.{k}") for k in BADGE_HEADERS], bold)
    for badge in report.badges:
        sheet.append((badge.name, badge.times, badge.latest, badge.detail))
    if not report.badges:
        sheet.append((t("sheet.no_badges"),))
    sheet.append(())
    sheet.append((t("sheet.emulation"),))
    sheet.cell(sheet.max_row, 1).font = bold
    for item, result in report.emulation:
        sheet.append((item, result))
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _section(sheet: Worksheet, title: str, headers: list[str], bold: Font) -> None:
    sheet.append((title,))
    sheet.cell(sheet.max_row, 1).font = bold
    sheet.append(headers)
    for column in range(1, len(headers) + 1):
        sheet.cell(sheet.max_row, column).font = bold
