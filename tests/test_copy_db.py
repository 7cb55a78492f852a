"""`python bot.py copy-db --to postgresql://...`: a SQLite database into an empty PostgreSQL
one, on the demo organisation and a synthetic province; refused onto a non-empty one."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

import bot
from admin.copy_db import COPIED
from admin.demo import fill_demo
from benchmarks import province
from commands.boards import people_view, unit_board
from storage.backends import open_repository
from storage.sqlite import SQLiteRepository
from tests.support.postgres import PostgresServer
from tracker.periods import parse_period

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def vi_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def copy(monkeypatch: pytest.MonkeyPatch, source: Path, target: str) -> int:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{source}")
    return bot.main(["copy-db", "--to", target])


def counts(source: Path, target: str) -> tuple[dict[str, int], dict[str, int]]:
    with sqlite3.connect(source) as lite, psycopg.connect(target) as pg:
        return (
            {t: lite.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t, _ in COPIED},
            {t: pg.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t, _ in COPIED},
        )


async def boards(url: str) -> list[object]:
    """What a province lead sees: the person and unit boards of two periods."""
    repo = await open_repository(url)
    try:
        root = await repo.unit(1)
        lead = await repo.member(1)
        seen: list[object] = []
        for key in ("2026-11", "2026"):
            period = parse_period(key)
            seen.append(await people_view(repo, root, period, ("TN", "YT"), lead.id, top=50))
            seen.append(await unit_board(repo, root, period, ("TN",)))
        return seen
    finally:
        await repo.close()


def demo_database(folder: Path) -> Path:
    path = folder / "demo.db"

    async def fill() -> None:
        repo = await SQLiteRepository.open(path)
        try:
            assert await fill_demo(repo, NOW)
        finally:
            await repo.close()

    asyncio.run(fill())
    return path


def test_the_demo_database_is_copied_and_both_sides_agree(
    tmp_path: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = demo_database(tmp_path)
    target = postgres_server.new_database()  # empty: copy-db migrates it
    assert copy(monkeypatch, source, target) == 0
    lite, pg = counts(source, target)
    assert lite == pg and lite["entries"] > 100 and lite["renewals"] >= 0
    out = capsys.readouterr().out.strip()
    with sqlite3.connect(source) as db:
        totals = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM entry_totals GROUP BY period_key, unit_id,"
            " program HAVING sum(achieved) <> 0)"
        ).fetchone()[0]
    assert out == (
        f"Đã chép {vi_number(sum(lite.values()))} dòng sang {target}; số dòng từng bảng và"
        f" {vi_number(totals)} tổng"
        " theo đơn vị, chương trình, kỳ đều khớp."
    )
    assert asyncio.run(boards(target)) == asyncio.run(boards(f"sqlite:///{source}"))


def test_a_target_with_rows_is_refused_and_left_as_it_was(
    tmp_path: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = demo_database(tmp_path)
    target = postgres_server.new_database()
    assert copy(monkeypatch, source, target) == 0
    before = counts(source, target)[1]
    capsys.readouterr()
    assert copy(monkeypatch, source, target) == 1
    assert capsys.readouterr().err.strip() == (
        "Không chép: bảng units ở cơ sở dữ liệu đích đã có dữ liệu."
        " Hãy dùng một cơ sở dữ liệu trống."
    )
    assert counts(source, target)[1] == before


def test_a_table_the_copy_does_not_know_stops_it_before_anything_is_written(
    tmp_path: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = demo_database(tmp_path)
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE zalo_threads (id INTEGER PRIMARY KEY)")
    target = postgres_server.new_database()
    assert copy(monkeypatch, source, target) == 1
    assert capsys.readouterr().err.strip() == ("Không chép: chưa biết cách chép bảng zalo_threads.")
    assert set(counts(source, target)[1].values()) == {0}


def test_a_synthetic_province_is_copied_with_equal_totals_per_unit(
    tmp_path: Path,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "province.db"
    province.build(source, members=600, entries=6_000, until=date(2026, 11, 22))
    target = postgres_server.new_database()
    assert copy(monkeypatch, source, target) == 0
    assert capsys.readouterr().out.startswith("Đã chép ")
    lite, pg = counts(source, target)
    assert lite == pg and lite["entries"] == 6_000 and lite["members"] == 600
    per_unit = (
        "SELECT unit_id, program, sum(count) FROM entries"
        " WHERE state IN ('reported', 'confirmed') GROUP BY unit_id, program ORDER BY 1, 2"
    )
    with sqlite3.connect(source) as db, psycopg.connect(target) as pg_db:
        assert db.execute(per_unit).fetchall() == [
            tuple(row) for row in pg_db.execute(per_unit).fetchall()
        ]


def test_the_target_must_be_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = demo_database(tmp_path)
    assert copy(monkeypatch, source, f"sqlite:///{tmp_path / 'other.db'}") == 2
    assert capsys.readouterr().err.strip() == (
        "Không chép: --to phải là địa chỉ PostgreSQL (postgresql://...),"
        f" không phải sqlite:///{tmp_path / 'other.db'}."
    )
