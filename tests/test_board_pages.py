"""The board's country-wide steps (sort names; a new period's targets from every quota
book) read a page of rows at a time so the bot's memory stays flat at national size
(storage/board_cache.py, `PAGE`). With pages of one, two, three rows (an owner's book
spans several rows, so pages cut through owners) nothing is missed or counted twice:
each book's target is the pure rule's, and every member has its sort key."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from commands.context import Services
from commands.registry import run_text
from leaderboards.ranking import name_order
from storage import board_cache
from storage.repository import QuotaRow
from tests.conftest import NOW, STAFF
from tests.support.db import rows
from tracker.models import Channel, Role, TargetKind
from tracker.periods import parse_period
from tracker.quotas import target_for


@pytest.mark.parametrize("page", [1, 2, 3, board_cache.PAGE])
async def test_pages_of_any_size_give_every_target_and_sort_key(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(board_cache, "PAGE", page)
    repo = services.repo
    field = [row for row in STAFF if row.role is not Role.LEAD]
    monthly = [QuotaRow(0, TargetKind.MEMBER, row.phone, "TN", "2026-11", 9) for row in field]
    await repo.import_quotas(monthly[:2], NOW)  # two members have a month of their own
    lead = await repo.member_by_phone("0913000001")
    assert lead is not None
    reply = await run_text(services, lead, "/bxh", Channel.TELEGRAM, None)  # made now
    assert reply.text.startswith("🏆 Xếp hạng tháng 11/2026"), reply.text

    books: dict[tuple[str, int, str], dict[str, int]] = defaultdict(dict)
    for kind, target_id, program, period_key, value in rows(
        tmp_path, "SELECT target_kind, target_id, program, period_key, value FROM quotas"
    ):
        books[(kind, target_id, program)][period_key] = value
    november = parse_period("2026-11")
    expected = {owner: target_for(november, book) for owner, book in books.items()}
    stored = rows(
        tmp_path,
        "SELECT target_kind, target_id, program, target FROM period_targets"
        " WHERE period_key = '2026-11'",
    )
    assert {(kind, target_id, program): target for kind, target_id, program, target in stored} == {
        owner: target for owner, target in expected.items() if target is not None
    }
    assert len(stored) == len(field) * 2  # TN and YT each: none missed, none twice
    assert sorted(t for (_, _, p), t in expected.items() if p == "TN") == [9, 9, 10]

    members = rows(tmp_path, "SELECT id, name FROM members")
    names = rows(tmp_path, "SELECT member_id, sort_key FROM member_sort_names")
    assert sorted(names) == sorted((member_id, name_order(name)) for member_id, name in members)
    assert rows(tmp_path, "SELECT count(*) FROM stale_names") == [(0,)]
