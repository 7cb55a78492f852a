"""The SQLite repository on real files: schema, durability settings, all-or-nothing writes."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import date, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from commands.boards import people_view
from storage.repository import ImportRejected, QuotaRow, Repository, StaffRow
from storage.sqlite import SQLiteRepository
from tests.conftest import NOW, STAFF
from tracker.models import Channel, Member, NewEntry, Quota, Role, TargetKind
from tracker.periods import parse_period


async def test_schema_is_migrated_once_and_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "quota.db"
    repo = await SQLiteRepository.open(path)
    await repo.import_staff(STAFF)
    await repo.close()
    repo = await SQLiteRepository.open(path)
    assert await repo.count_members() == len(STAFF)
    await repo.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 1


async def test_foreign_keys_are_enforced(repo: Repository) -> None:
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        await repo.add_entry(NewEntry(999, 999, "TN", date(2026, 11, 23), 1, Channel.CONSOLE, NOW))


async def test_unit_paths_build_the_tree_and_imports_update_by_phone(
    repo: SQLiteRepository,
) -> None:
    await repo.import_staff(STAFF)
    commune = await repo.unit_by_path("BHXH tỉnh Thanh Hóa/BHXH cơ sở Hạc Thành /Phường Hạc Thành")
    assert commune is not None and commune.name == "Phường Hạc Thành"
    office = await repo.unit(commune.parent_id or 0)
    assert office.path == "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành"
    moved = StaffRow(
        2, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn", "Nguyễn Thị Lan", "0912000001", Role.LEAD
    )
    await repo.import_staff([moved])
    member = await repo.member_by_phone("0912000001")
    assert member is not None and member.role is Role.LEAD
    assert (await repo.unit(member.unit_id)).path == moved.unit_path
    assert await repo.count_members() == len(STAFF)


async def test_quota_import_with_an_unknown_target_stores_nothing(repo: SQLiteRepository) -> None:
    await repo.import_staff(STAFF)
    good = QuotaRow(2, TargetKind.MEMBER, "0912000001", "TN", "2026", 120)
    bad = QuotaRow(3, TargetKind.UNIT, "BHXH tỉnh Không Có", "TN", "2026", 10)
    with pytest.raises(ImportRejected) as rejected:
        await repo.import_quotas([good, bad], NOW)
    assert rejected.value.problems == [(3, "import.unknown_unit", "BHXH tỉnh Không Có")]
    member = await repo.member_by_phone("0912000001")
    assert member is not None
    assert await repo.quota_books(TargetKind.MEMBER, member.id) == {}


async def test_entries_count_only_while_reported_or_confirmed(repo: SQLiteRepository) -> None:
    await repo.import_staff(STAFF)
    member = await repo.member_by_phone("0912000001")
    assert member is not None
    day = date(2026, 11, 23)
    for count in (2, 3):
        await repo.add_entry(
            NewEntry(member.id, member.unit_id, "TN", day, count, Channel.SMS, NOW)
        )
    assert await repo.achieved(member.id, day, day) == {"TN": 5}
    undone, repeated = await repo.undo_last_entry(member.id, day, NOW, None)
    assert undone is not None and undone.count == 3 and not repeated
    assert await repo.achieved(member.id, day, day) == {"TN": 2}


async def test_entries_arriving_together_share_commits_but_keep_their_own_fate(
    repo: SQLiteRepository,
) -> None:
    await repo.import_staff(STAFF)
    member = await repo.member_by_phone("0912000001")
    assert member is not None
    day = date(2026, 11, 23)

    def entry(number: int, member_id: int = member.id, key: str | None = None) -> NewEntry:
        return NewEntry(
            member_id, member.unit_id, "TN", day, 1, Channel.SMS, NOW, key or f"k{number}"
        )

    batch = [entry(n) for n in range(40)]
    batch += [entry(99, key="k7")]  # a redelivery inside the same burst
    batch += [entry(100, member_id=999)]  # no such member: fails alone
    results = await asyncio.gather(*(repo.add_entry(e) for e in batch), return_exceptions=True)
    created = [r for r in results if isinstance(r, tuple) and r[1]]
    repeated = [r for r in results if isinstance(r, tuple) and not r[1]]
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(created) == 40
    first_k7 = results[7]
    assert isinstance(first_k7, tuple)
    assert repeated == [(first_k7[0], False)]
    assert len(failures) == 1 and isinstance(
        failures[0], (sqlite3.IntegrityError, psycopg.IntegrityError)
    )
    assert await repo.achieved(member.id, day, day) == {"TN": 40}


async def test_a_recorded_entry_comes_back_with_the_members_period_read_after_it(
    repo: SQLiteRepository,
) -> None:
    await repo.import_staff(STAFF)
    lan, hoa = [await repo.member_by_phone(p) for p in ("0912000001", "0912000002")]
    assert lan is not None and hoa is not None
    await repo.set_quota(Quota(TargetKind.MEMBER, lan.id, "TN", "2026", 120), NOW)
    day = date(2026, 11, 23)

    def entry(who: Member, count: int, key: str) -> NewEntry:
        return NewEntry(who.id, who.unit_id, "TN", day, count, Channel.SMS, NOW, key)

    # One burst, so one group commit (one statement on PostgreSQL): each caller still
    # sees the totals just after their own entry, in the order the entries were written.
    burst = [entry(lan, 2, "a1"), entry(hoa, 5, "b1"), entry(lan, 3, "a2"), entry(lan, 3, "a2")]
    recorded = await asyncio.gather(*(repo.record_entry(e, "2026-11") for e in burst))
    assert [r.standing.achieved for r in recorded] == [
        {"TN": 2},
        {"TN": 5},
        {"TN": 5},
        {"TN": 5},  # the repeat of a2 counts once
    ]
    assert [r.created for r in recorded] == [True, True, True, False]
    assert recorded[3].entry == recorded[2].entry
    assert recorded[0].standing.books == {"TN": {"2026": 120}}
    assert recorded[1].standing.books == {}
    # The same figures as a separate read, and as counted from the entries themselves.
    assert await repo.member_period(lan.id, "2026-11") == recorded[2].standing
    assert await repo.achieved(lan.id, day, day) == {"TN": 5}


async def test_who_reached_first_holds_whatever_time_zone_the_clock_gave(
    repo: SQLiteRepository,
) -> None:
    """Boards rank equal counts by the time they were reached, compared in SQL as text:
    Lan at 10:00 in Vietnam (03:00 UTC) was first, before Nam at 03:30 UTC."""
    await repo.import_staff(STAFF)
    lan, nam = [await repo.member_by_phone(p) for p in ("0912000001", "0912000002")]
    assert lan is not None and nam is not None
    vietnam = timezone(timedelta(hours=7))
    logged = [(nam, NOW + timedelta(minutes=30)), (lan, NOW.astimezone(vietnam))]
    for who, at in logged:
        await repo.set_quota(Quota(TargetKind.MEMBER, who.id, "TN", "2026-11", 4), NOW)
        entry = NewEntry(
            who.id, who.unit_id, "TN", date(2026, 11, 23), 1, Channel.SMS, at, who.phone
        )
        await repo.add_entry(entry)
    view = await people_view(
        repo, await repo.unit(lan.unit_id), parse_period("2026-11"), ("TN",), lan.id
    )
    assert [(row.rank, row.standing.name) for row in view.top] == [
        (1, "Nguyễn Thị Lan"),
        (2, "Phạm Văn Nam"),
    ]
