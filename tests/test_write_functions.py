"""A write as one plain function per transaction (StoreBase._run_write, Datasette's
`execute_write_fn`): committed whole or rolled back whole on both backends; on SQLite
run on the writer's thread in one crossing, not one per statement."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.renewals_repository import NewRenewal
from storage.repository import Repository, StaffRow
from storage.sqlite import SQLiteRepository
from storage.sqlite_base import SuspendedWrite
from storage.store_base import Db, StoreBase
from tests.conftest import COMMUNE, NOW, STAFF
from tests.support.db import rows
from tracker.models import Channel, NewEntry, Role
from tracker.participants import HashedParticipant, participant_hash


def base(repo: Repository) -> StoreBase:
    assert isinstance(repo, StoreBase)
    return repo


async def test_a_write_function_commits_whole_or_not_at_all(
    repo: Repository, tmp_path: Path
) -> None:
    await repo.import_staff(STAFF)

    async def rename_then_fail(db: Db) -> None:
        await db.execute("UPDATE members SET name = 'Đổi tên' WHERE phone = '0912000001'")
        await db.execute("INSERT INTO members (unit_id, name, phone, role) VALUES (1, 'X', ?, ?)",
                         ("0912000002", "officer"))  # fmt: skip # a phone taken: fails

    with pytest.raises(Exception, match=r"(?i)unique"):
        await base(repo)._run_write(rename_then_fail)
    assert rows(tmp_path, "SELECT name FROM members WHERE phone = '0912000001'") == [
        ("Nguyễn Thị Lan",)
    ]

    async def rename(db: Db) -> int:
        await db.execute("UPDATE members SET name = 'Đổi tên' WHERE phone = '0912000001'")
        found = await db.execute_fetchall("SELECT count(*) FROM members WHERE name = 'Đổi tên'")
        return int(found[0][0])

    assert await base(repo)._run_write(rename) == 1  # it sees its own change
    assert rows(tmp_path, "SELECT name FROM members WHERE phone = '0912000001'") == [("Đổi tên",)]


async def test_on_sqlite_a_transaction_crosses_to_the_writer_once(tmp_path: Path) -> None:
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    try:
        staff = [StaffRow(n, COMMUNE, f"Cán bộ {n}", f"09120001{n:02d}", Role.OFFICER)
                 for n in range(40)]  # fmt: skip
        before = repo._writer.crossings
        assert await repo.import_staff(staff) == 40  # 40 units looked up, 40 members written
        assert repo._writer.crossings - before == 1
        assert rows(tmp_path, "SELECT count(*) FROM members") == [(40,)]
    finally:
        await repo.close()


async def test_on_sqlite_a_write_function_that_waits_elsewhere_is_refused(
    tmp_path: Path,
) -> None:
    """It runs on the writer's thread: awaiting anything but its Db would need the event
    loop there. It is refused, and what it wrote is rolled back."""
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    try:
        await repo.import_staff(STAFF)

        async def rename_and_sleep(db: Db) -> None:
            await db.execute("UPDATE members SET name = 'Đổi tên' WHERE phone = '0912000001'")
            await asyncio.sleep(0)

        with pytest.raises(SuspendedWrite):
            await repo._run_write(rename_and_sleep)
        assert rows(tmp_path, "SELECT name FROM members WHERE phone = '0912000001'") == [
            ("Nguyễn Thị Lan",)
        ]
    finally:
        await repo.close()


async def test_on_sqlite_the_channel_unit_and_participant_writes_cross_once(
    tmp_path: Path,
) -> None:
    """Zalo, the office TV, team groups, total plans, participants and renewals: each
    write is one function the writer's thread runs whole (one crossing), and it is done."""
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    try:
        repo.use_participant_secret("bí mật")
        await repo.import_staff(STAFF)
        lan, lead = [await repo.member_by_phone(p) for p in ("0912000001", "0913000001")]
        assert lan is not None and lead is not None
        day = NOW.date()
        entry = NewEntry(lan.id, lan.unit_id, "TN", day, 1, Channel.CONSOLE, NOW, "log-1")
        participant = HashedParticipant(participant_hash("0123456789", "bí mật"), "789", 1, False)
        renewal = NewRenewal(participant_hash("0123456789", "bí mật"), "789", "TN", day, 12, NOW,
                             lan.id, lan.unit_id, "renew-1")  # fmt: skip
        writes = {
            "detailed entry": repo.add_detailed_entry(entry, participant),
            "renewal": repo.record_renewal(renewal, 30),
            "zalo link": repo.link_zalo(lan.id, "zalo-lan", lan.phone, NOW),
            "zalo group": repo.bind_zalo_group(lead.unit_id, "zalo-group", (lead.id, NOW)),
            "team group": repo.bind_group(lead.unit_id, -100, (lead.id, NOW)),
            "screen": repo.create_screen(lead.unit_id, "token-hash", "TV", lead.id, NOW),
            "total plan": repo.change_total_plan(lead.unit_id, "x", "TN", "2026", 90, lead.id, NOW),
        }
        for name, write in writes.items():
            before = repo._writer.crossings
            await write
            assert repo._writer.crossings - before == 1, name
        assert rows(tmp_path, "SELECT count(*) FROM renewals") == [(1,)]
        assert rows(tmp_path, "SELECT member_id FROM zalo_links") == [(lan.id,)]
        assert rows(tmp_path, "SELECT chat_id FROM zalo_groups") == [("zalo-group",)]
        assert rows(tmp_path, "SELECT value FROM total_plans") == [(90,)]
        assert rows(tmp_path, "SELECT count(*) FROM screens") == [(1,)]
        assert rows(tmp_path, f"SELECT group_chat_id FROM units WHERE id = {lead.unit_id}") == [
            (-100,)
        ]
    finally:
        await repo.close()
