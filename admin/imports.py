"""`import-staff` and `import-quotas`: a whole CSV file or nothing, problems by line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from locales import Translator
from storage.repository import ImportRejected, Repository
from tracker.imports import Problem, QuotaRow, decode, parse_quotas, parse_staff
from tracker.models import TargetKind


class ImportFailed(Exception):
    """The file was rejected; the message lists every problem by line."""


def _report(t: Translator, path: Path, problems: list[Problem]) -> str:
    lines = [t("import.rejected", file=str(path), n=len(problems))]
    for problem in sorted(problems, key=lambda p: p.line):
        message = t(problem.key, **problem.params)
        lines.append(t("import.problem", line=str(problem.line), message=message))
    return "\n".join(lines)


def _read(t: Translator, path: Path) -> str:
    try:
        return decode(path.read_bytes())
    except UnicodeDecodeError:
        raise ImportFailed(_report(t, path, [Problem(1, "import.not_utf8")])) from None


async def _unknown_targets(repo: Repository, rows: list[QuotaRow]) -> list[Problem]:
    """Rows naming a member or unit that is not on the staff list. The import checks
    again in its own transaction; this is for reporting them with the file's other
    problems."""
    problems = []
    for row in rows:
        if row.target_kind is TargetKind.MEMBER:
            known = await repo.member_by_phone(row.target) is not None
        else:
            known = await repo.unit_by_path(row.target) is not None
        if not known:
            key = f"import.unknown_{row.target_kind.value}"
            problems.append(Problem(row.line, key, {"given": row.target}))
    return problems


async def import_staff_file(repo: Repository, path: Path, t: Translator) -> str:
    rows, problems = parse_staff(_read(t, path))
    if problems:
        raise ImportFailed(_report(t, path, problems))
    count = await repo.import_staff(rows)
    return t("import.done_staff", n=count)


async def import_quotas_file(
    repo: Repository, path: Path, program_codes: tuple[str, ...], now: datetime, t: Translator
) -> str:
    rows, problems = parse_quotas(_read(t, path), program_codes)
    problems += await _unknown_targets(repo, rows)  # every problem in one pass
    if problems:
        raise ImportFailed(_report(t, path, problems))
    try:
        count = await repo.import_quotas(rows, now)
    except ImportRejected as rejected:
        found = [Problem(line, key, {"given": given}) for line, key, given in rejected.problems]
        raise ImportFailed(_report(t, path, found)) from None
    return t("import.done_quotas", n=count)
