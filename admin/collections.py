"""`import-collections FILE.csv`: confirm entries that official collection records match.

The file is checked whole first (problems by line, nothing stored); the codes are
hashed with PARTICIPANT_HASH_SECRET, the same key as logged entries; the pure matching
of `tracker.reconcile` decides; storage confirms the matched entries still reported in
one transaction, each audited as the operator (`--by`, default the first admin).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from admin.imports import ImportFailed, _read, _report
from locales import Translator
from storage.participants_repository import Confirmation, ParticipantEntry
from storage.repository import Repository
from tracker.models import EntryState, Role
from tracker.phones import InvalidPhone, normalise_phone
from tracker.reconcile import (
    WINDOW_DAYS,
    Reconciliation,
    parse_collections,
    reconcile,
    search_range,
)


async def import_collections_file(
    repo: Repository,
    path: Path,
    program_codes: tuple[str, ...],
    secret: str | None,
    now: datetime,
    t: Translator,
    by_phone: str | None = None,
) -> str:
    """Reconcile `path`; the report to print. ImportFailed when nothing could be done."""
    if not secret:
        raise ImportFailed(t("collections.no_secret"))
    if not await repo.participant_key_matches(secret):
        raise ImportFailed(t("collections.key_changed"))
    rows, problems = parse_collections(_read(t, path), program_codes, secret)
    if problems:
        raise ImportFailed(_report(t, path, problems))
    operator = await _operator(repo, by_phone, t)
    entries = await repo.participant_entries(*search_range(rows)) if rows else []
    result = reconcile(rows, entries)
    confirmations = [
        Confirmation(entry.id, row.line, row.term_months)
        for row, entry in result.matched
        if entry.state is EntryState.REPORTED
    ]
    confirmed = await repo.confirm_collected(confirmations, operator, f"{path.name}", now)
    return _render(t, path, len(rows), confirmed, result)


async def _operator(repo: Repository, by_phone: str | None, t: Translator) -> int:
    if by_phone is None:
        admin = await repo.first_admin()
        if admin is None:
            raise ImportFailed(t("collections.no_operator"))
        return admin.id
    try:
        member = await repo.member_by_phone(normalise_phone(by_phone))
    except InvalidPhone:
        member = None
    if member is None or member.role not in (Role.LEAD, Role.ADMIN):
        raise ImportFailed(t("collections.unknown_operator", phone=by_phone))
    return member.id


def _render(
    t: Translator,
    path: Path,
    rows: int,
    confirmed: int,
    result: Reconciliation[ParticipantEntry],
) -> str:
    lines = [
        t(
            "collections.done",
            file=path.name,
            rows=rows,
            matched=len(result.matched),
            confirmed=confirmed,
            unmatched=len(result.unmatched),
            unclaimed=len(result.unclaimed),
        )
    ]
    if rows:
        lines.append(
            t("collections.period", first=result.first, last=result.last, days=WINDOW_DAYS)
        )
    sections = (
        (
            "collections.matched_title",
            [
                t(
                    "collections.matched_line",
                    line=str(row.line),
                    last3=row.last3,
                    code=row.program,
                    paid=row.paid,
                    id=str(entry.id),
                    name=entry.member_name,
                    day=entry.day,
                )
                for row, entry in result.matched
            ],
        ),
        (
            "collections.unmatched_title",
            [
                t(
                    "collections.unmatched_line",
                    id=str(entry.id),
                    name=entry.member_name,
                    code=entry.program,
                    last3=entry.last3,
                    day=entry.day,
                )
                for entry in result.unmatched
            ],
        ),
        (
            "collections.unclaimed_title",
            [
                t(
                    "collections.unclaimed_line",
                    line=str(row.line),
                    last3=row.last3,
                    code=row.program,
                    paid=row.paid,
                )
                for row in result.unclaimed
            ],
        ),
    )
    for title, items in sections:
        lines.append(t(title))
        lines += items or [t("collections.empty")]
    return "\n".join(lines)
