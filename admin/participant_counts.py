"""`import-participant-counts FILE.csv`: units' participant counts from the official system.

The whole file or nothing, problems by line; then each unit's count as of today,
rolled forward from the figure (what the lead will see).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from admin.imports import ImportFailed, _read, _report
from commands.counts import unit_counts
from locales import Translator
from storage.repository import ImportRejected, Repository
from tracker.count_imports import parse_counts
from tracker.imports import Problem
from tracker.periods import local_day


async def import_counts_file(
    repo: Repository,
    path: Path,
    program_codes: tuple[str, ...],
    now: datetime,
    grace_days: int,
    t: Translator,
) -> str:
    rows, problems = parse_counts(_read(t, path), program_codes)
    if problems:
        raise ImportFailed(_report(t, path, problems))
    try:
        count = await repo.import_participant_counts(rows, now)
    except ImportRejected as rejected:
        found = [Problem(line, key, {"given": given}) for line, key, given in rejected.problems]
        raise ImportFailed(_report(t, path, found)) from None
    today = local_day(now)
    lines = [t("counts.done", n=count, day=today)]
    seen: set[tuple[int, str]] = set()
    for row in rows:
        unit = await repo.unit_by_path(row.unit_path)
        if unit is None or (unit.id, row.program) in seen:
            continue
        seen.add((unit.id, row.program))
        now_count = (await unit_counts(repo, unit.id, today, grace_days)).get(
            (unit.id, row.program)
        )
        if now_count is None:  # dated after today: counts from that day on
            lines.append(t("counts.later", unit=unit.path, code=row.program, day=row.as_of))
            continue
        changes = now_count.changes
        lines.append(
            t(
                "counts.line",
                unit=unit.path,
                code=row.program,
                imported=now_count.figure.count,
                day=now_count.figure.as_of,
                count=now_count.count,
                new=changes.new,
                rejoined=changes.rejoined,
                lapsed=changes.lapsed,
            )
        )
    return "\n".join(lines)
