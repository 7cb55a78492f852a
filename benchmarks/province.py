"""A synthetic province for benchmarks: 5,000 members, 1M entries, built in seconds.

Bulk-loaded with the standard sqlite3 module into a schema made by the real
repository (so indexes and migrations are the product's own).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from storage.sqlite import SQLiteRepository

PROVINCE = "BHXH tỉnh Thanh Hóa"
OFFICES = 10
COMMUNES_PER_OFFICE = 16


def _units() -> list[tuple[int, int | None, str, str]]:
    units: list[tuple[int, int | None, str, str]] = [(1, None, PROVINCE, "/1/")]
    for office in range(OFFICES):
        office_id = len(units) + 1
        office_path = f"{PROVINCE} / BHXH cơ sở số {office + 1}"
        units.append((office_id, 1, office_path, f"/1/{office_id}/"))
        for commune in range(COMMUNES_PER_OFFICE):
            unit_id = len(units) + 1
            units.append(
                (
                    unit_id,
                    office_id,
                    f"{office_path} / Xã {commune + 1}",
                    f"/1/{office_id}/{unit_id}/",
                )
            )
    return units


def build(path: Path, members: int, entries: int, until: date, seed: int = 7) -> None:
    """Write the province into a new database file at `path`."""
    asyncio.run(create_schema(path))
    rng = random.Random(seed)
    units = _units()
    communes = [unit for unit in units if unit[3].count("/") == 4]
    db = sqlite3.connect(path, isolation_level=None)
    # Bulk load: no journal, indexes built once at the end (minutes become seconds).
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = OFF")
    indexes = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for (sql,) in indexes:
        db.execute("DROP INDEX " + sql.split()[2])
    db.execute("BEGIN")
    with db:
        db.executemany(
            "INSERT INTO units (id, parent_id, path, lineage) VALUES (?, ?, ?, ?)", units
        )
        member_units = [communes[index % len(communes)][0] for index in range(members)]
        db.executemany(
            "INSERT INTO members (id, unit_id, name, phone, role) VALUES (?, ?, ?, ?, ?)",
            (
                (
                    index + 1,
                    member_units[index],
                    f"Cán bộ {index + 1}",
                    f"09{index + 1:08d}",
                    "agent" if index % 3 else "officer",
                )
                for index in range(members)
            ),
        )
        year = until.year
        db.executemany(
            "INSERT INTO quotas (target_kind, target_id, program, period_key, value, updated_at)"
            " VALUES ('member', ?, ?, ?, ?, '2026-01-01T00:00:00+00:00')",
            (
                (member_id, program, str(year), rng.choice(values))
                for member_id in range(1, members + 1)
                for program, values in (("TN", (150, 200, 250)), ("YT", (200, 300)))
            ),
        )
        first = date(year, 1, 1)
        span = (until - first).days

        # Whole columns at once: per-row random calls would dominate the build time.
        member_ids = rng.choices(range(1, members + 1), k=entries)
        day_texts = [(first + timedelta(days=offset)).isoformat() for offset in range(span)]
        stamps = [
            datetime.combine(first + timedelta(days=offset), time(hour), UTC).isoformat()
            for offset in range(span)
            for hour in range(2, 10)
        ]
        day_offsets = rng.choices(range(span), k=entries)
        hours = rng.choices(range(8), k=entries)
        programs = rng.choices(("TN", "YT"), k=entries)
        counts = rng.choices((1, 1, 1, 2, 3), k=entries)
        entry_rows = (
            (
                member_ids[n],
                member_units[member_ids[n] - 1],
                programs[n],
                day_texts[day_offsets[n]],
                counts[n],
                "sms",
                "voided" if n % 50 == 0 else "reported",
                stamps[day_offsets[n] * 8 + hours[n]],
            )
            for n in range(entries)
        )
        db.executemany(
            "INSERT INTO entries (member_id, unit_id, program, day, count, channel, state,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            entry_rows,
        )
    for (sql,) in indexes:
        db.execute(sql)
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode = WAL")
    db.close()


async def create_schema(path: Path) -> None:
    """An empty database with the product's own schema (its migrations, its indexes)."""
    repo = await SQLiteRepository.open(path)
    await repo.close()
