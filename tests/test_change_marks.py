"""PostgreSQL's change marks (migration postgres/0101): loggers in different units never
wait for each other, and the office TV's hub misses no change whatever order
transactions commit in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest

from storage.postgres import PostgresRepository
from storage.sql import to_pyformat
from tests.conftest import STAFF

INSERT = to_pyformat(
    "INSERT INTO entries (member_id, unit_id, program, day, count, channel, created_at,"
    " source_key) VALUES (?, ?, 'TN', '2026-11-23', 1, 'sms', '2026-11-23T03:00:00+00:00', ?)"
)


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[PostgresRepository]:
    repo = await PostgresRepository.open(postgres_url, max_size=2)
    await repo.import_staff(STAFF)
    yield repo
    await repo.close()


async def test_loggers_in_two_units_do_not_wait_and_no_change_is_missed(
    pg: PostgresRepository, postgres_url: str
) -> None:
    lan = await pg.member_by_phone("0912000001")  # the commune
    hoa = await pg.member_by_phone("0912000003")  # the post office, a sibling unit
    assert lan is not None and hoa is not None
    start = (await pg.changes_since(None)).seq
    with psycopg.connect(postgres_url) as first, psycopg.connect(postgres_url) as second:
        first.execute(INSERT, (lan.id, lan.unit_id, "first"))  # open, not committed
        # With 0080's one counter row this insert waited for `first` to commit.
        second.execute("SET lock_timeout = '2s'")
        second.execute(INSERT, (hoa.id, hoa.unit_id, "second"))
        second.commit()  # the later transaction commits first
        seen = await pg.changes_since(start)
        assert hoa.unit_id in seen.units and lan.unit_id not in seen.units
        first.commit()
    later = await pg.changes_since(seen.seq)
    assert lan.unit_id in later.units  # committed after the hub looked: not missed
    commune, office = await pg.unit(lan.unit_id), await pg.unit(hoa.unit_id)
    assert commune.parent_id is not None and commune.parent_id in later.units  # ancestors too
    assert office.parent_id in seen.units
    quiet = await pg.changes_since((await pg.changes_since(later.seq)).seq)
    assert quiet.units == frozenset()  # nothing running: nothing reported again
