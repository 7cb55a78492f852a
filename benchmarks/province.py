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
    asyncio.run(_create_schema(path))
    rng = random.Random(seed)
    units = _units()
    communes = [unit for unit in units if unit[3].count("/") == 4]
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous = OFF")
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

        def entry_rows():  # type: ignore[no-untyped-def]
            for number in range(entries):
                member_id = rng.randrange(1, members + 1)
                day = first + timedelta(days=rng.randrange(span))
                created = datetime.combine(day, time(2 + rng.randrange(8)), UTC)
                state = "voided" if number % 50 == 0 else "reported"
                yield (
                    member_id,
                    member_units[member_id - 1],
                    rng.choice(("TN", "YT")),
                    day.isoformat(),
                    rng.choice((1, 1, 1, 2, 3)),
                    "sms",
                    state,
                    created.isoformat(),
                )

        db.executemany(
            "INSERT INTO entries (member_id, unit_id, program, day, count, channel, state,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            entry_rows(),
        )
        db.execute("ANALYZE")


async def _create_schema(path: Path) -> None:
    repo = await SQLiteRepository.open(path)
    await repo.close()
