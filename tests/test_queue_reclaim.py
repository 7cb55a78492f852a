"""A board settles the marks triggers leave (`stale_quotas`, ...) and deletes them. On
PostgreSQL the deleted rows stay in the table until a vacuum, and every later board's
"anything to catch up?" read walked them all; after a bulk of marks, the board that
cleared them gives their space back."""

from __future__ import annotations

import pytest

from commands.boards import people_view
from storage.board_cache import RECLAIM_AFTER
from storage.postgres import PostgresRepository
from tests.conftest import BACKENDS, NOW
from tracker.imports import QuotaRow, StaffRow
from tracker.models import Role, TargetKind
from tracker.periods import parse_period

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="needs PostgreSQL")


async def _queued_pages(repo: PostgresRepository) -> int:
    [(pages,)] = await repo._all(
        "SELECT pg_relation_size('stale_quotas') / current_setting('block_size')::int"
    )
    return int(pages)


async def test_the_board_that_clears_a_bulk_of_marks_gives_their_space_back(
    postgres_url: str,
) -> None:
    repo = await PostgresRepository.open(postgres_url)
    try:
        # A commune's import: 600 agents, each with a year's plan of two programs
        # (1,200 books, each marked once: more than RECLAIM_AFTER).
        commune = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"
        agents = [
            StaffRow(n + 2, commune, f"Đại lý {n}", f"0915{n:06d}", Role.AGENT) for n in range(600)
        ]
        await repo.import_staff(agents)
        books = [
            QuotaRow(n, TargetKind.MEMBER, agent.phone, program, "2026", 24)
            for n, agent in enumerate(agents)
            for program in ("TN", "YT")
        ]
        await repo.import_quotas(books, NOW)
        [(marks,)] = await repo._all("SELECT count(*) FROM stale_quotas")
        assert marks == len(books) > RECLAIM_AFTER
        assert await _queued_pages(repo) > 0
        agent = await repo.member_by_phone(agents[0].phone)
        assert agent is not None
        unit = await repo.unit(agent.unit_id)

        view = await people_view(repo, unit, parse_period("2026-11"), ("TN",), agent.id)

        assert view.top  # the board was made, and the marks settled
        [(left,)] = await repo._all("SELECT count(*) FROM stale_quotas")
        assert left == 0
        assert await _queued_pages(repo) == 0
    finally:
        await repo.close()
