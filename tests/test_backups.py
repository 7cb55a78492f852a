"""The nightly backup: real copies of a real SQLite file, checked, the oldest removed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commands.context import Services
from scheduling.backups import nightly_backup
from scheduling.runner import ScheduleRunner
from scheduling.service import scheduled
from scheduling.triggers import ScheduleError, parse_schedule


def nights(n: int) -> list[datetime]:
    return [datetime(2026, 11, 20 + day, 19, 0, tzinfo=UTC) for day in range(n)]  # 02:00 local


# Nightly copies are checked by reopening them as SQLite files; PostgreSQL is backed up
# with pg_dump (storage/postgres.py) and checked by pg_restore, outside these tests.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])


@SQLITE_ONLY
async def test_each_night_a_checked_copy_and_only_the_newest_are_kept(
    services: Services, tmp_path: Path
) -> None:
    plan = parse_schedule({"backup": {"directory": str(tmp_path / "backups"), "keep": 2}}).backup
    assert plan is not None and plan.cron == {"hour": 2, "minute": 0}
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "notes.txt").write_text("mine", encoding="utf-8")
    made = [await nightly_backup(services.repo, plan, night) for night in nights(3)]
    assert [path.name if path else None for path in made] == [
        "quota-20261121-020000.db",
        "quota-20261122-020000.db",
        "quota-20261123-020000.db",
    ]
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        "notes.txt",  # not ours: never removed
        "quota-20261122-020000.db",
        "quota-20261123-020000.db",
    ]
    with sqlite3.connect(tmp_path / "backups" / "quota-20261123-020000.db") as db:
        assert db.execute("SELECT count(*) FROM members").fetchone() == (4,)


@SQLITE_ONLY
async def test_a_backup_that_cannot_be_written_is_logged_and_nothing_is_left(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("not a directory", encoding="utf-8")
    plan = parse_schedule({"backup": {"directory": str(tmp_path / "file" / "sub")}}).backup
    assert plan is not None
    assert await nightly_backup(services.repo, plan, nights(1)[0]) is None
    assert "nightly backup into" in caplog.text


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"keep": 3}, 'directory = "..." is needed'),
        ({"directory": "b", "keep": 0}, "keep must be a whole number >= 1"),
        ({"directory": "b", "hour": 25}, "[backup] hour = 25"),
    ],
)
def test_a_wrong_backup_table_names_what_to_fix(table: dict[str, object], message: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_schedule({"backup": table})
    assert message in str(error.value)


@SQLITE_ONLY
async def test_the_scheduler_runs_the_backup_nightly_when_configured(
    services: Services, tmp_path: Path
) -> None:
    config = parse_schedule({"backup": {"directory": str(tmp_path), "hour": 3}})
    async with scheduled(ScheduleRunner(services, config)) as scheduler:
        job = scheduler.get_job("backup")
        assert job is not None
        assert str(job.trigger) == "cron[hour='3', minute='0']"
    async with scheduled(ScheduleRunner(services, parse_schedule({}))) as scheduler:
        assert scheduler.get_job("backup") is None
