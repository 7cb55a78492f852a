"""Kept folds (storage/folded_cache.py): a process's kept fold of a unit board equals a
fresh reading of it after every kind of write, made by another process on the same
database; logging never moves the counter that makes every fold be read again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from storage.backends import open_repository
from storage.board_view_repository import FoldedUnits
from storage.folded_cache import FoldCache
from storage.leads_repository import QuotaTarget
from storage.repository import QuotaRow, Repository, StaffRow
from storage.sql import to_pyformat
from storage.store_base import StoreBase
from tests.conftest import COMMUNE, NOW, OFFICE, POST_OFFICE, STAFF, Databases
from tracker.models import Channel, NewEntry, Role, TargetKind
from tracker.periods import Period, parse_period

MONTH = parse_period("2026-11")
PROGRAMS = (("TN", "YT"), ("TN",), ("YT",))
TEAM = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành / Tổ 1"


def normal(folded: FoldedUnits) -> Any:
    """A fold with its lists in one order (the SQL gives no order within a part)."""
    return (
        folded.units[0],
        sorted(folded.units, key=lambda unit: unit.id),
        {
            code: (
                sorted(parts.credits, key=lambda credit: credit.unit_id),
                parts.unit_quotas,
                sorted(parts.member_targets),
            )
            for code, parts in folded.parts.items()
        },
    )


async def fresh(store: StoreBase, unit_id: int, period: Period, programs: tuple[str, ...]) -> Any:
    """The fold read whole, as a process that kept nothing reads it."""

    async def lineage() -> tuple[str, str]:
        return await store._lineage_range(unit_id)

    return normal(await FoldCache().folded(store, unit_id, period, programs, lineage))


@pytest.fixture
async def two(databases: Databases) -> AsyncIterator[tuple[Repository, Repository, str]]:
    """Two repositories (two processes) on one new database, with staff and quotas; its
    URL."""
    url = databases.new()
    viewer, writer = await open_repository(url), await open_repository(url)
    await writer.import_staff(STAFF)
    await writer.import_quotas(
        [
            QuotaRow(0, TargetKind.MEMBER, "0912000001", "TN", "2026-11", 10),
            QuotaRow(0, TargetKind.MEMBER, "0912000003", "YT", "2026-11", 6),
        ],
        NOW,
    )
    yield viewer, writer, url
    await viewer.close()
    await writer.close()
    databases.drop(url)


async def assert_kept_folds_are_fresh(viewer: Repository, writer: Repository) -> None:
    """Every scope's fold as `viewer` keeps it equals `writer`'s fresh reading."""
    assert isinstance(writer, StoreBase)
    for unit in await writer.subtree_units(1):
        for programs in PROGRAMS:
            kept = normal(await viewer.folded_units(unit.id, MONTH, programs))
            assert kept == await fresh(writer, unit.id, MONTH, programs), (unit.path, programs)


async def generation(store: Repository) -> int:
    assert isinstance(store, StoreBase)
    [(n,)] = await store._all("SELECT n FROM fold_generation")
    return int(n)


async def log(repo: Repository, phone: str, program: str, count: int, key: str) -> None:
    member = await repo.member_by_phone(phone)
    assert member is not None
    entry = NewEntry(
        member.id, member.unit_id, program, NOW.date(), count, Channel.CONSOLE, NOW, key
    )
    await repo.add_entry(entry)


async def test_a_kept_fold_follows_every_write_of_another_process(
    two: tuple[Repository, Repository, str],
) -> None:
    viewer, writer, _ = two
    await assert_kept_folds_are_fresh(viewer, writer)
    before = normal(await viewer.folded_units(1, MONTH, ("TN",)))
    counter = await generation(writer)

    await log(writer, "0912000001", "TN", 3, "a")  # an entry
    await log(writer, "0912000003", "YT", 2, "b")
    assert await generation(writer) == counter  # logging never moves it
    await assert_kept_folds_are_fresh(viewer, writer)
    assert normal(await viewer.folded_units(1, MONTH, ("TN",))) != before
    lan = await writer.member_by_phone("0912000001")
    assert lan is not None

    await writer.undo_last_entry(lan.id, date(2026, 11, 23), NOW + timedelta(minutes=1), None)
    assert await generation(writer) == counter
    await assert_kept_folds_are_fresh(viewer, writer)

    # A member's quota, then a plan below the children (the fold's shape changes).
    await writer.change_quotas(
        QuotaTarget(TargetKind.MEMBER, lan.id, lan.unit_id, lan.name), "TN", {"2026-11": 7},
        lan.id, NOW,
    )  # fmt: skip
    await assert_kept_folds_are_fresh(viewer, writer)
    commune = await writer.unit_by_path(COMMUNE)
    assert commune is not None
    await writer.change_quotas(
        QuotaTarget(TargetKind.UNIT, commune.id, commune.id, commune.path), "TN",
        {"2026-11": 20}, lan.id, NOW,
    )  # fmt: skip
    await assert_kept_folds_are_fresh(viewer, writer)

    # A member moves; a new unit below the commune, with a member who logs there.
    await writer.import_staff([StaffRow(0, POST_OFFICE, lan.name, lan.phone, Role.OFFICER)])
    await writer.import_staff([StaffRow(0, TEAM, "Lê Thị Ánh", "0912000009", Role.AGENT)])
    await writer.import_quotas(
        [QuotaRow(0, TargetKind.MEMBER, "0912000009", "TN", "2026-11", 4)], NOW
    )
    await log(writer, "0912000009", "TN", 1, "c")
    await log(writer, "0912000001", "TN", 2, "d")
    await assert_kept_folds_are_fresh(viewer, writer)
    team = await writer.unit_by_path(TEAM)
    assert team is not None
    kept = await viewer.folded_units(1, MONTH, ("TN",))
    office = await writer.unit_by_path(OFFICE)
    assert office is not None
    # The province's board: the office (Lan's 2 at the post office, her 3 undone) and
    # the commune, planned, with its team's 1.
    got = sorted((c.unit_id, c.count) for c in kept.parts["TN"].credits)
    assert got == [(office.id, 2), (commune.id, 1)]


async def test_a_change_committed_after_a_reading_is_not_missed(
    two: tuple[Repository, Repository, str], backend: str
) -> None:
    """PostgreSQL's marks are transaction ids (0101): a logger still running when a
    fold was read commits later, after a younger one; the next view counts both."""
    if backend != "postgres":
        pytest.skip("SQLite has one writer: its counter is exact")
    viewer, writer, url = two
    assert isinstance(viewer, StoreBase)
    lan = await writer.member_by_phone("0912000001")
    hoa = await writer.member_by_phone("0912000003")
    assert lan is not None and hoa is not None
    await viewer.folded_units(1, MONTH, ("TN",))  # the period materialised, the fold kept
    insert = to_pyformat(
        "INSERT INTO entries (member_id, unit_id, program, day, count, channel, created_at,"
        " source_key) VALUES (?, ?, 'TN', '2026-11-23', ?, 'sms', '2026-11-23T03:00:00+00:00', ?)"
    )
    with psycopg.connect(url) as first, psycopg.connect(url) as second:
        first.execute(insert, (lan.id, lan.unit_id, 5, "first"))  # open, not committed
        second.execute(insert, (hoa.id, hoa.unit_id, 2, "second"))
        second.commit()
        seen = await viewer.folded_units(1, MONTH, ("TN",))
        assert [c.count for c in seen.parts["TN"].credits] == [2]
        first.commit()
    later = await viewer.folded_units(1, MONTH, ("TN",))
    assert [c.count for c in later.parts["TN"].credits] == [7]
    assert normal(later) == await fresh(viewer, 1, MONTH, ("TN",))
