"""A database file as text, to show that a refused input changed nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# The board cache of migration 0007: a read (`/bxh`) may fill it, and that is no change of
# what anyone recorded. Everything else must stay byte for byte.
CACHE_TABLES = frozenset(
    {
        "period_targets",
        "target_periods",
        "stale_quotas",
        "member_sort_names",
        "stale_names",
        "board_combos",
        "board_rows",
        "unit_period_totals",
        "stale_board_members",
    }
)


def dump(path: Path) -> list[str]:
    """Every row of every table but the board cache, as SQL lines, in a stable order."""
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name not in CACHE_TABLES and not name.startswith("sqlite_")
        ]
        lines: list[str] = []
        for table in tables:
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()  # names from the schema
            lines += sorted(f"{table}: {row!r}" for row in rows)
    db.close()
    return lines
