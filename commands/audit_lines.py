"""The audit log as a lead reads it: one line per action, in the reader's language.

A split year writes a record per period; it reads as one line (the year, and how many
finer quotas followed). States and actions are words of the reader's language; units
go by their short name, members by name, never by an id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from locales import Translator
from storage.leads_repository import AuditRecord
from tracker.models import UNIT_PATH_SEPARATOR, EntryState
from tracker.periods import KINDS_FINEST_FIRST, VIETNAM, InvalidPeriod, parse_period

_STATES = {state.value for state in EntryState}


def group_changes(records: list[AuditRecord]) -> list[list[AuditRecord]]:
    """Records of one action together (newest first): the quotas one command set."""
    groups: list[list[AuditRecord]] = []
    for record in records:
        if groups and _same_action(groups[-1][0], record):
            groups[-1].append(record)
        else:
            groups.append([record])
    return groups


def _same_action(first: AuditRecord, other: AuditRecord) -> bool:
    return (
        first.action == other.action == "quota"
        and first.at == other.at
        and first.actor_name == other.actor_name
        and _quota_owner(first.subject) == _quota_owner(other.subject)
    )


def _quota_owner(subject: str) -> str:
    """`Lan (0912…) · TN 2026-03` -> `Lan (0912…) · TN`: whose quota, of which program."""
    return subject.rsplit(" ", 1)[0]


def _coarsest_first(record: AuditRecord) -> tuple[int, str]:
    """A year before its quarters, a quarter before its months, then in time order."""
    key = record.subject.rsplit(" ", 1)[-1]
    try:
        kind = parse_period(key).kind
    except InvalidPeriod:
        return (0, key)
    return (-KINDS_FINEST_FIRST.index(kind), key)


def short_unit(name: str) -> str:
    return name.rsplit(UNIT_PATH_SEPARATOR, 1)[-1]


async def audit_line(
    t: Translator, group: list[AuditRecord], member_name: Callable[[int], Awaitable[str]]
) -> str:
    """One action as one line."""
    main = min(group, key=_coarsest_first)
    at = main.at.astimezone(VIETNAM).strftime("%d/%m %H:%M")
    action = t(f"leads.action.{main.action}")
    subject, before, after = main.subject, _value(t, main.before), _value(t, main.after)
    if main.action == "quota":
        owner, _, what = subject.partition(" · ")
        subject = f"{short_unit(owner)} · {what}"
        if len(group) > 1:
            after += " " + t("audit.and_finer", n=len(group) - 1)
    elif main.action == "group.bind":
        return t("audit.line_plain", at=at, actor=main.actor_name, action=action,
                 subject=short_unit(main.unit_path))  # fmt: skip
    elif main.action == "initiative":
        member_id, _, year = subject.partition("/")
        if member_id.isdigit():
            subject = f"{await member_name(int(member_id))} · {year}"
    return t(
        "leads.audit_line",
        at=at,
        actor=main.actor_name,
        action=action,
        subject=subject,
        before=before,
        after=after,
    )


def _value(t: Translator, value: str | None) -> str:
    """A stored before/after as the reader reads it: a number, a state (with its reason)."""
    if value is None:
        return "—"
    state, colon, reason = value.partition(": ")
    if state in _STATES:
        word = t(f"leads.state_word.{state}")
        return f"{word}: {reason}" if colon else word
    if value.isdigit():
        return t.number(int(value))
    return value
