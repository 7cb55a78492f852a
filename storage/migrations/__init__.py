"""Numbered schema migrations: `NNNN_name.sql`, applied in order, each exactly once.

SQLite's live here, PostgreSQL's in `postgres/` under the same numbers: every SQLite
migration has a PostgreSQL counterpart (tests/test_postgres_schema.py checks it).
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _numbered(folder: Path) -> list[tuple[int, str]]:
    return sorted(
        (int(path.name.split("_", 1)[0]), path.read_text(encoding="utf-8"))
        for path in folder.glob("[0-9][0-9][0-9][0-9]_*.sql")
    )


MIGRATIONS: list[tuple[int, str]] = _numbered(_HERE)
POSTGRES_MIGRATIONS: list[tuple[int, str]] = _numbered(_HERE / "postgres")
