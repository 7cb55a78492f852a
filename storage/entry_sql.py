"""The logging path's SQL, shared by both backends' `_store_entry`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from storage.repository import MemberPeriod
from storage.store_base import ENTRY_COLUMNS
from tracker.models import NewEntry

# The message id's uniqueness makes a redelivered message a no-op without a claim.
INSERT_ENTRY = (
    "INSERT INTO entries (member_id, unit_id, program, day, count, channel, created_at,"
    f" source_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_key) DO NOTHING"
    f" RETURNING {ENTRY_COLUMNS}"
)

ENTRY_BY_SOURCE_KEY = f"SELECT {ENTRY_COLUMNS} FROM entries WHERE source_key = ?"

# A member's quota books and, per program, their total for one period: one read.
MEMBER_PERIOD = (
    "SELECT program, period_key, value FROM quotas"
    " WHERE target_kind = 'member' AND target_id = ?"
    " UNION ALL SELECT program, NULL, sum(achieved) FROM entry_totals"
    " WHERE period_key = ? AND member_id = ? GROUP BY program"
)


def member_period_params(member_id: int, period_key: str) -> tuple[Any, ...]:
    return (member_id, period_key, member_id)


def member_period_from(rows: Iterable[Any]) -> MemberPeriod:
    achieved: dict[str, int] = {}
    books: dict[str, dict[str, int]] = defaultdict(dict)
    for program, quota_period, value in rows:
        if quota_period is None:
            if value:
                achieved[program] = int(value)
        else:
            books[program][quota_period] = value
    return MemberPeriod(achieved, dict(books))


def entry_values(entry: NewEntry) -> tuple[Any, ...]:
    """The first eight columns of `entries`, in the order the INSERTs name them."""
    return (
        entry.member_id,
        entry.unit_id,
        entry.program,
        entry.day.isoformat(),
        entry.count,
        entry.channel.value,
        # In UTC always: "who reached it first" compares these as text, in SQL.
        entry.created_at.astimezone(UTC).isoformat(),
        entry.source_key,
    )
