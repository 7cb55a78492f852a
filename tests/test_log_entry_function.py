"""PostgreSQL logs through one function, `log_entry` (migration 0126), whose plans the
server keeps; SQLite runs storage/entry_sql.py's statements. The function must answer
what those statements answer: the same random logs (repeated keys, a key reused by
another member, no key, a period asked or not, members with and without quota books)
go to both backends, and every answer is compared.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from storage.postgres import PostgresRepository
from storage.sqlite import SQLiteRepository
from tests.conftest import BACKENDS, NOW, STAFF
from tracker.models import Channel, NewEntry, Quota, TargetKind

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="needs PostgreSQL")

DAYS = (date(2026, 11, 23), date(2026, 11, 2), date(2026, 10, 31), date(2026, 12, 1))
ASKED = ("2026-11", "2026-10", "2026-W48", "2026", None)


async def test_log_entry_answers_what_the_shared_statements_answer(
    postgres_url: str, tmp_path: Path
) -> None:
    sqlite = await SQLiteRepository.open(tmp_path / "quota.db")
    postgres = await PostgresRepository.open(postgres_url, max_size=2)
    try:
        for repo in (sqlite, postgres):
            await repo.import_staff(STAFF)
        people = [await sqlite.member_by_phone(row.phone) for row in STAFF]
        members = [member for member in people if member is not None]
        assert [m.id for m in members] == [
            m.id for m in [await postgres.member_by_phone(row.phone) for row in STAFF] if m
        ]
        for repo in (sqlite, postgres):  # Lan has books, Nam a month's, the others none
            await repo.set_quota(Quota(TargetKind.MEMBER, members[0].id, "TN", "2026", 120), NOW)
            await repo.set_quota(Quota(TargetKind.MEMBER, members[0].id, "YT", "2026", 90), NOW)
            await repo.set_quota(Quota(TargetKind.MEMBER, members[1].id, "TN", "2026-11", 9), NOW)

        rng = random.Random(15)
        first_ids: dict[str, tuple[int, int]] = {}  # key -> (SQLite id, PostgreSQL id)
        for _ in range(150):
            who = rng.choice(members)
            key = rng.choice([None, *(f"k{n}" for n in range(12))])
            day = rng.choice(DAYS)
            entry = NewEntry(
                who.id, who.unit_id, rng.choice(("TN", "YT")), day, rng.randint(1, 3),
                Channel.SMS, NOW, key,
            )  # fmt: skip
            asked = rng.choice(ASKED)
            there = await sqlite._queue_entry(entry, asked)
            here = await postgres._queue_entry(entry, asked)
            # Ids differ (a refused INSERT uses up a PostgreSQL identity), nothing else.
            assert here[0].id > 0 and there[0].id > 0
            assert (here[0].member_id, here[0].unit_id, here[0].program, here[0].day,
                    here[0].count, here[0].state, here[0].created_at) == (
                there[0].member_id, there[0].unit_id, there[0].program, there[0].day,
                there[0].count, there[0].state, there[0].created_at)  # fmt: skip
            assert here[1:] == there[1:]
            if asked is None:
                assert here[2] is None
            assert here[1] is (key is None or key not in first_ids)  # stored now or before
            if key is not None:
                ids = first_ids.setdefault(key, (there[0].id, here[0].id))
                assert (there[0].id, here[0].id) == ids  # a repeat gives the first row
        assert len(first_ids) == 12
        # The standing the function gave is what a read gives afterwards.
        for member in members:
            for asked in ASKED[:-1]:
                assert await postgres.member_period(member.id, asked) == (
                    await sqlite.member_period(member.id, asked)
                )
    finally:
        await sqlite.close()
        await postgres.close()
