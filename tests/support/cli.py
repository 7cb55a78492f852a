"""Run the operator CLI as an operator does: `python bot.py ...` in a subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def bot(
    tmp_path: Path, *args: str, stdin: str = "", **settings: str
) -> subprocess.CompletedProcess[str]:
    """`python bot.py ARGS` on `tmp_path/quota.db`, Telegram off, extra `settings` as env."""
    env = cli_env(tmp_path, **settings)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def staffed(tmp_path: Path, staff_csv: str) -> None:
    """`python bot.py import-staff` of `staff_csv` (written as tmp_path/staff.csv), which
    must succeed."""
    (tmp_path / "staff.csv").write_text(staff_csv, encoding="utf-8")
    assert bot(tmp_path, "import-staff", "staff.csv").returncode == 0


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of `bot`: the database in `tmp_path`, Telegram off."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'quota.db'}", **settings}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "quota.db") as db:
        return db.execute(sql).fetchall()
