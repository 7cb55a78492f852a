"""A board's catch-up never loses a log that commits while it runs (PostgreSQL).

Logging only marks the member (`stale_board_members`); the next board recounts the
marked members' rows and clears the marks. On PostgreSQL logs commit while a catch-up
runs: a log whose mark was already there (its member logged before) must either be in
the recount or leave its mark for the next one. Before, the recount and the clearing
were two statements: a log committed between them had its mark cleared unrecounted,
and its member's board row stayed short until they logged again.

Loggers and boards run together on two processes' repositories; then a last board,
and every member's row must equal their entries' totals. SQLite has one writer: a
catch-up and a log never overlap there.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from commands.context import Services
from storage.postgres import PostgresRepository
from tests.support.members import member, reply_text
from tracker.models import Channel, NewEntry
from tracker.rules import load_rules

LOGGERS = ("0912000001", "0912000002", "0912000003")
LEAD = "0913000001"


@pytest.mark.parametrize("backend", ["postgres"])
async def test_logs_during_catch_ups_all_reach_the_board(
    services: Services, postgres_url: str
) -> None:
    other = await PostgresRepository.open(postgres_url, max_size=6)  # a second process
    viewer = Services(other, load_rules(), services.clock)
    try:
        assert "%" in await reply_text(services, LEAD, "/bxh")  # the month materialised
        people = [await member(services, phone) for phone in LOGGERS]
        keys = itertools.count()
        logging = True

        async def log(repo_services: Services, rounds: int) -> None:
            for _ in range(rounds):
                for who in people:
                    now = services.clock()
                    await repo_services.repo.add_entry(
                        NewEntry(who.id, who.unit_id, "TN", now.date(), 1, Channel.SMS,
                                 now, f"race-{next(keys)}")
                    )  # fmt: skip

        async def view(repo_services: Services) -> None:
            while logging:
                assert "%" in await reply_text(repo_services, LEAD, "/bxh")

        viewers = [asyncio.create_task(view(s)) for s in (services, viewer, viewer)]
        await asyncio.gather(*(log(s, 60) for s in (services, viewer, services, viewer)))
        logging = False
        await asyncio.gather(*viewers)

        assert "%" in await reply_text(services, LEAD, "/bxh")  # the last catch-up
        rows = await other._all(
            "SELECT b.member_id, b.achieved, (SELECT sum(t.achieved) FROM entry_totals t"
            "  WHERE t.period_key = b.period_key AND t.member_id = b.member_id"
            "  AND t.program = 'TN')"
            " FROM board_rows b WHERE b.period_key = '2026-11' AND b.combo = 'TN+YT'"
            " AND b.member_id IN (?, ?, ?)",
            [who.id for who in people],
        )
        assert sorted((m, shown) for m, shown, _ in rows) == sorted(
            (m, int(total)) for m, _, total in rows
        )
        assert all(int(total) == 240 for _, _, total in rows)  # 4 loggers x 60 each
    finally:
        await other.close()
