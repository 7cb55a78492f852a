"""`import-collections FILE.csv`: confirm entries that official collection records match.

The file is checked whole first (problems by line, nothing stored); the codes are
hashed with PARTICIPANT_HASH_SECRET, the same key as logged entries; the pure matching
of `tracker.reconcile` decides; storage confirms the matched entries still reported in
one transaction, each audited as the operator (`--by`, default the first admin).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from admin.imports import ImportFailed, _read, _report
from locales import Translator
from storage.participants_repository import Confirmation, ParticipantEntry
from storage.renewals_repository import NewRenewal, RenewalOutcome, RenewalResult
from storage.repository import Repository
from tracker.models import EntryState, Role
from tracker.phones import InvalidPhone, normalise_phone
from tracker.reconcile import (
    WINDOW_DAYS,
    CollectionRow,
    Reconciliation,
    parse_collections,
    reconcile,
    search_range,
)
from tracker.renewals import GRACE_DAYS


async def import_collections_file(
    repo: Repository,
    path: Path,
    program_codes: tuple[str, ...],
    secret: str | None,
    now: datetime,
    t: Translator,
    by_phone: str | None = None,
    grace_days: int = GRACE_DAYS,
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
    renewed, unclaimed = await _renewals(repo, path, result.unclaimed, grace_days, now)
    result = replace(result, unclaimed=unclaimed)
    return _render(t, path, len(rows), confirmed, result, renewed)


async def _renewals(
    repo: Repository, path: Path, rows: list[CollectionRow], grace_days: int, now: datetime
) -> tuple[list[tuple[CollectionRow, RenewalResult]], list[CollectionRow]]:
    """Rows no enrolment claims that pay for a known participant again: renewals, counted
    as if typed (a typed one of the same payment is joined, not doubled)."""
    renewed: list[tuple[CollectionRow, RenewalResult]] = []
    unclaimed: list[CollectionRow] = []
    for row in rows:
        result = await repo.record_renewal(
            NewRenewal(
                participant_hash=row.participant_hash,
                last3=row.last3,
                program=row.program,
                day=row.paid,
                term_months=row.term_months,
                created_at=now,
                collected_from=f"{path.name}:{row.line}",
            ),
            grace_days,
        )
        if result.outcome is RenewalOutcome.UNKNOWN:
            unclaimed.append(row)
        else:
            renewed.append((row, result))
    return renewed, unclaimed


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
    renewed: list[tuple[CollectionRow, RenewalResult]],
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
        ),
        t("collections.renewed", n=len(renewed)),
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
            "collections.renewed_title",
            [
                t(
                    f"collections.renewed_{outcome.outcome.value}",
                    line=str(row.line),
                    last3=row.last3,
                    code=row.program,
                    paid=row.paid,
                    until=outcome.paid_until,
                )
                for row, outcome in renewed
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
