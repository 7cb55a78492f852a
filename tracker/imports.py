"""Operator CSV files, checked row by row before anything is stored.

Staff: `unit,name,phone,role`. Quotas: `target_kind,target,program,period,quota`, and
an optional last column `kind`: `enrolments` (the default, also `moi`) or `total`
(`tong`: a unit's plan for participants in total).
UTF-8 with or without the BOM Excel writes. Every problem is reported with its line
number; a file with any problem stores nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from tracker.models import PlanKind, Role, TargetKind
from tracker.periods import InvalidPeriod, parse_period
from tracker.phones import InvalidPhone, normalise_phone

STAFF_COLUMNS = ("unit", "name", "phone", "role")
QUOTA_COLUMNS = ("target_kind", "target", "program", "period", "quota")
QUOTA_OPTIONAL_COLUMNS = ("kind",)
PLAN_KIND_WORDS = {
    "enrolments": PlanKind.ENROLMENTS,
    "moi": PlanKind.ENROLMENTS,
    "total": PlanKind.TOTAL,
    "tong": PlanKind.TOTAL,
}


@dataclass(frozen=True)
class StaffRow:
    line: int
    unit_path: str
    name: str
    phone: str
    role: Role


@dataclass(frozen=True)
class QuotaRow:
    line: int
    target_kind: TargetKind
    target: str
    """A normalised phone for a member, a unit path for a unit."""
    program: str
    period_key: str
    value: int
    plan_kind: PlanKind = PlanKind.ENROLMENTS


@dataclass(frozen=True)
class Problem:
    line: int
    key: str
    params: dict[str, object] = field(default_factory=dict)


def decode(raw: bytes) -> str:
    """UTF-8, with or without a BOM; UnicodeDecodeError otherwise."""
    return raw.decode("utf-8-sig")


def _rows(
    text: str, required: tuple[str, ...], problems: list[Problem], optional: tuple[str, ...] = ()
) -> list[tuple[int, list[str]]]:
    """The rows under a header of the `required` columns, then perhaps the `optional`
    ones; every row comes back as long as both (an optional cell may be empty)."""
    reader = csv.reader(io.StringIO(text))
    header = tuple(cell.strip().lower() for cell in next(reader, []))
    columns = header if header in (required, required + optional) else None
    if columns is None:
        problems.append(Problem(1, "import.bad_header", {"expected": ",".join(required)}))
        return []
    rows = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of an Excel export
        if len(row) != len(columns):
            problems.append(
                Problem(
                    reader.line_num,
                    "import.wrong_columns",
                    {"expected": len(columns), "given": len(row)},
                )
            )
            continue
        cells = [cell.strip() for cell in row]
        missing = [name for name, cell in zip(required, cells, strict=False) if not cell]
        if missing:
            problems.append(Problem(reader.line_num, "import.empty_field", {"field": missing[0]}))
            continue
        rows.append((reader.line_num, cells + [""] * (len(required + optional) - len(cells))))
    return rows


def parse_staff(text: str) -> tuple[list[StaffRow], list[Problem]]:
    problems: list[Problem] = []
    staff: list[StaffRow] = []
    first_line_of: dict[str, int] = {}
    for line, (unit, name, raw_phone, raw_role) in _rows(text, STAFF_COLUMNS, problems):
        try:
            phone = normalise_phone(raw_phone)
        except InvalidPhone:
            problems.append(Problem(line, "import.bad_phone", {"given": raw_phone}))
            continue
        if raw_role.lower() not in {role.value for role in Role}:
            problems.append(Problem(line, "import.bad_role", {"given": raw_role}))
            continue
        if phone in first_line_of:
            problems.append(
                Problem(
                    line, "import.duplicate_phone", {"given": phone, "first": first_line_of[phone]}
                )
            )
            continue
        first_line_of[phone] = line
        staff.append(StaffRow(line, unit, name, phone, Role(raw_role.lower())))
    return staff, problems


def parse_quotas(text: str, program_codes: tuple[str, ...]) -> tuple[list[QuotaRow], list[Problem]]:
    problems: list[Problem] = []
    quotas: list[QuotaRow] = []
    for line, (raw_kind, target, program, period, raw_quota, raw_plan) in _rows(
        text, QUOTA_COLUMNS, problems, QUOTA_OPTIONAL_COLUMNS
    ):
        plan_kind = PLAN_KIND_WORDS.get(raw_plan.lower() or "enrolments")
        if plan_kind is None:
            problems.append(Problem(line, "import.bad_plan_kind", {"given": raw_plan}))
            continue
        kind = raw_kind.lower()
        if kind not in {k.value for k in TargetKind}:
            problems.append(Problem(line, "import.bad_target_kind", {"given": raw_kind}))
            continue
        if kind == TargetKind.MEMBER and plan_kind is PlanKind.TOTAL:
            problems.append(Problem(line, "import.total_for_member", {"given": target}))
            continue
        if kind == TargetKind.MEMBER:
            try:
                target = normalise_phone(target)
            except InvalidPhone:
                problems.append(Problem(line, "import.bad_phone", {"given": target}))
                continue
        if program.upper() not in program_codes:
            problems.append(Problem(line, "import.bad_program", {"given": program}))
            continue
        try:
            period_key = parse_period(period).key
        except InvalidPeriod:
            problems.append(Problem(line, "import.bad_period", {"given": period}))
            continue
        # At most nine digits: a quota is a count of people, and SQLite holds 64 bits.
        if not (raw_quota.isascii() and raw_quota.isdigit() and len(raw_quota) <= 9):
            problems.append(Problem(line, "import.bad_quota", {"given": raw_quota}))
            continue
        quotas.append(
            QuotaRow(
                line,
                TargetKind(kind),
                target,
                program.upper(),
                period_key,
                int(raw_quota),
                plan_kind,
            )
        )
    return quotas, problems
