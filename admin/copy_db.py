"""`python bot.py copy-db --to postgresql://...`: a SQLite database into an empty PostgreSQL one.

What people recorded is copied row for row, ids kept: units, members, quotas, entries,
the audit log, schedules, SMS bookkeeping, participants and renewals, Zalo links, groups,
codes and media links (live codes and links keep working after the move). What triggers
derive from it (running totals, participant terms) is not copied: PostgreSQL's own
triggers rebuild it as the entries arrive, and the check compares the result with the
SQLite side. The board cache is not copied either; the first board of each period
builds it again. Everything happens in one transaction: a failed check leaves the
target as empty as it was.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from storage.postgres import PostgresRepository

# Copied in this order (a row's references come before it). `schema_migrations` is each
# backend's own; the others are derived or cached (see DERIVED, CACHE).
COPIED: tuple[tuple[str, str], ...] = (
    ("units", "length(lineage), id"),
    ("members", "id"),
    ("quotas", "target_kind, target_id, program, period_key"),
    ("total_plans", "unit_id, program, period_key"),
    ("entries", "id"),
    ("inbound_messages", "key"),
    ("celebrations", "member_id, program, month_key"),
    ("initiatives", "member_id, year"),
    ("audit_log", "id"),
    ("sms_refusals", "number_hash, day"),
    ("sms_outbound_daily", "phone, day"),
    ("schedule_occurrences", "kind, period_key"),
    ("schedule_deliveries", "kind, period_key, target_kind, target_id"),
    ("participant_key", "id"),
    ("renewals", "id"),
    ("participant_counts", "unit_id, program, as_of"),
    ("pending_choices", "member_id, channel"),
    ("member_channels", "member_id"),
    ("screens", "id"),
    ("zalo_links", "zalo_user_id"),
    ("zalo_groups", "unit_id"),
    ("zalo_choices", "member_id"),
    ("link_codes", "phone"),
    ("link_failures", "phone"),
    ("media_links", "id"),
)
# Kept by triggers (the change counters of 0080 and 0133 start afresh: screens and kept
# folds reload anyway).
DERIVED = frozenset(
    {
        "entry_totals",
        "participant_terms",
        "change_counter",
        "unit_changes",
        "unit_day_rejoins",
        "fold_generation",
    }
)
CACHE = frozenset(
    {
        "period_targets",
        "target_periods",
        "stale_quotas",
        "member_sort_names",
        "stale_names",
        "board_combos",
        "board_rows",
        "board_lineage_sums",
        "board_rank_buckets",
        "unit_period_totals",
        "stale_board_members",
        "unit_member_targets",
        "member_target_periods",
    }
)
# Each backend's own: its migrations, and the processes running on it with the updates
# they claimed (runtime state, meaningless on another database).
OWN = frozenset({"schema_migrations", "bot_processes", "handled_updates"})
_IDENTITY_TABLES = ("units", "members", "entries", "audit_log", "renewals", "screens")

# Per unit, program and period: the running totals both sides must agree on.
_UNIT_TOTALS = (
    "SELECT period_key, unit_id, program, sum(achieved) FROM entry_totals"
    " GROUP BY period_key, unit_id, program HAVING sum(achieved) <> 0"
)


class CopyRefused(Exception):
    """The copy cannot start or did not check out; `key` names the message, nothing
    was written."""

    def __init__(self, key: str, **details: object) -> None:
        super().__init__(key, details)
        self.key = key
        self.details = details


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]
    """Rows copied per table (equal on both sides)."""
    unit_totals: int
    """(period, unit, program) running totals compared, all equal."""


async def copy_database(source: Path, target_url: str) -> CopyReport:
    """Copy the SQLite file `source` into the (empty) PostgreSQL database `target_url`."""
    if not await asyncio.to_thread(source.is_file):
        raise CopyRefused("copy.no_source", path=str(source))
    repo = await PostgresRepository.open(target_url, max_size=1)  # migrated, collation checked
    await repo.close()
    return await asyncio.to_thread(_copy, source, target_url)


def _copy(source: Path, target_url: str) -> CopyReport:
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as lite,
        psycopg.connect(target_url) as pg,
    ):
        _check_tables_known(lite)
        for table, _ in COPIED:
            if pg.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone() != (False,):
                raise CopyRefused("copy.not_empty", table=table)
        rows = {table: _copy_table(lite, pg, table, order) for table, order in COPIED}
        for table in _IDENTITY_TABLES:
            pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce(max(id), 0) + 1, false) FROM {table}"
            )
        for table, _ in COPIED:
            [(count,)] = pg.execute(f"SELECT count(*) FROM {table}").fetchall()
            if count != rows[table]:
                raise CopyRefused("copy.count_differs", table=table, lite=rows[table], pg=count)
        lite_totals = sorted(lite.execute(_UNIT_TOTALS).fetchall())
        pg_totals = sorted(tuple(row) for row in pg.execute(_UNIT_TOTALS).fetchall())
        if lite_totals != pg_totals:
            differing = sorted(set(lite_totals) ^ set(pg_totals))[:3]
            raise CopyRefused("copy.totals_differ", rows=differing)
        pg.commit()
    return CopyReport(rows, len(lite_totals))


def _check_tables_known(lite: sqlite3.Connection) -> None:
    """A table this copy does not know would be silently left behind: refuse instead."""
    tables = {
        name
        for (name,) in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    unknown = tables - {table for table, _ in COPIED} - DERIVED - CACHE - OWN
    if unknown:
        raise CopyRefused("copy.unknown_table", table=", ".join(sorted(unknown)))


def _copy_table(
    lite: sqlite3.Connection, pg: psycopg.Connection[Any], table: str, order: str
) -> int:
    writable = [
        name
        for (name,) in pg.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        ).fetchall()
    ]
    names = ", ".join(writable)
    copied = 0
    # COPY fires the row triggers, as INSERT does: the running totals are rebuilt here.
    with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in lite.execute(f"SELECT {names} FROM {table} ORDER BY {order}"):
            copy.write_row(row)
            copied += 1
    return copied
