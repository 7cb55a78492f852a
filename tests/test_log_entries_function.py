"""PostgreSQL logs through one function, `log_entries` (migration 0130), whose plans the
server keeps, a batch of logs at a time (group commit); SQLite runs
storage/entry_sql.py's statements. The function must answer what those statements
answer: the same random logs (repeated keys, a key reused by another member, no key, a
period asked or not, members with and without quota books) go to both backends, one at a
time and in bursts that each backend stores as one batch, and every answer is compared.
"""

from __future__ import annotations

import asyncio
import random
from datetime import date
from pathlib import Path

import pytest

from storage.postgres import PostgresRepository
from storage.repository import MemberPeriod
from storage.sqlite import SQLiteRepository
from storage.store_base import EntryWork, Recorded
from tests.conftest import BACKENDS, NOW, STAFF
from tracker.models import Channel, Entry, NewEntry, Quota, TargetKind

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="needs PostgreSQL")

DAYS = (date(2026, 11, 23), date(2026, 11, 2), date(2026, 10, 31), date(2026, 12, 1))
ASKED = ("2026-11", "2026-10", "2026-W48", "2026", None)


async def test_log_entries_answers_what_the_shared_statements_answer(
    postgres_url: str, tmp_path: Path
) -> None:
    await _compare_logs(postgres_url, tmp_path, burst=1)


async def test_a_burst_is_one_batch_and_answers_as_logs_one_by_one(
    postgres_url: str, tmp_path: Path
) -> None:
    """Bursts of up to eight logs: PostgreSQL stores each burst with one statement, in
    the order of unit and member (SQLite in the order of arrival); each member's logs
    keep their order, so every answer is the one a log alone would get."""
    batches = await _compare_logs(postgres_url, tmp_path, burst=8)
    assert max(batches) > 1 and sum(batches) == 150


class _CountingBatches(PostgresRepository):
    """The real repository, noting how many logs each statement stored."""

    batches: list[int]

    async def _record_batch(self, batch: list[EntryWork]) -> list[Recorded]:
        self.batches.append(len(batch))
        return await super()._record_batch(batch)


async def _compare_logs(postgres_url: str, tmp_path: Path, burst: int) -> list[int]:
    sqlite = await SQLiteRepository.open(tmp_path / "quota.db")
    postgres = await _CountingBatches.open(postgres_url, max_size=4)
    assert isinstance(postgres, _CountingBatches)
    postgres.batches = []
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
        owners: dict[str, int] = {}  # key -> the member who used it first
        logs = 0
        while logs < 150:
            size = min(rng.randint(1, burst), 150 - logs)
            logs += size
            work: list[tuple[NewEntry, str | None]] = []
            senders = [rng.choice(members) for _ in range(size)]
            quiet = {m.id for m in members} - {m.id for m in senders}
            for who in senders:
                # Where the order of storing decides, it is the backend's, not the
                # senders': a key appears once in a burst, and a key used before by
                # another member is reused only when that member sends nothing else in
                # the burst (the answer is their standing at that point).
                used = {entry.source_key for entry, _ in work}
                keys = [
                    key
                    for key in (f"k{n}" for n in range(12))
                    if key not in used and owners.get(key, who.id) in {who.id, *quiet}
                ]
                entry = NewEntry(
                    who.id, who.unit_id, rng.choice(("TN", "YT")), rng.choice(DAYS),
                    rng.randint(1, 3), Channel.SMS, NOW, rng.choice([None, *keys]),
                )  # fmt: skip
                work.append((entry, rng.choice(ASKED)))
            answers = [
                await asyncio.gather(*(repo._queue_entry(e, asked) for e, asked in work))
                for repo in (sqlite, postgres)
            ]
            for (entry, asked), there, here in zip(work, *answers, strict=True):
                _same_answer(entry.source_key, asked, there, here, first_ids)
                if entry.source_key is not None:
                    owners.setdefault(entry.source_key, entry.member_id)
        assert len(first_ids) == 12
        # The standing the function gave is what a read gives afterwards.
        for member in members:
            for asked in ASKED[:-1]:
                assert await postgres.member_period(member.id, asked) == (
                    await sqlite.member_period(member.id, asked)
                )
        return postgres.batches
    finally:
        await sqlite.close()
        await postgres.close()


def _same_answer(
    key: str | None,
    asked: str | None,
    there: tuple[Entry, bool, MemberPeriod | None],
    here: tuple[Entry, bool, MemberPeriod | None],
    first_ids: dict[str, tuple[int, int]],
) -> None:
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
