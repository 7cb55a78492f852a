"""The counter that sends every process's kept folds back to a whole reading
(`fold_generation`, storage/folded_cache.py) moves only when a row that shapes a fold
changes: never with logging, nor with the catch-up that every board makes after a log
(on PostgreSQL a statement trigger fired by a statement that changed no row moved it,
so each log cost the next national board a whole fold). That it moves with the rows that
do shape a fold is tests/test_folded_cache.py's part."""

from __future__ import annotations

from commands.context import Services
from storage.store_base import StoreBase
from tests.support.members import reply_text
from tracker.models import Channel

LAN = "0912000001"
LEAD = "0913000001"


async def generation(services: Services) -> int:
    assert isinstance(services.repo, StoreBase)
    [(n,)] = await services.repo._all("SELECT n FROM fold_generation")
    return int(n)


async def test_boards_after_logs_keep_the_folds(services: Services) -> None:
    for text in ("/bxh", "/donvi", "/bxh tuan", "/bxh nam"):  # periods materialised
        assert "%" in await reply_text(services, LEAD, text)
    before = await generation(services)
    for n in range(3):
        logged = await reply_text(services, LAN, "TN 1", Channel.SMS, key=f"fold-{n}")
        assert logged.startswith("Da ghi 1 TN"), logged
        for text in ("/bxh", "/donvi", "/bxh tuan"):  # each catches up the log first
            assert "%" in await reply_text(services, LEAD, text)
        assert "%" in await reply_text(services, LAN, "/bxh")
    assert await generation(services) == before
