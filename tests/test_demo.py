"""The demo organisation: what a newcomer sees must have numbers, whatever the date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from admin.demo import DEMO_OFFICER_PHONE, fill_demo
from commands.context import Services
from commands.registry import run_text
from storage.sqlite import SQLiteRepository
from tracker.models import Channel
from tracker.rules import load_rules


async def test_a_demo_on_the_second_of_january_still_shows_last_months_work(
    repo: SQLiteRepository,
) -> None:
    now = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
    assert await fill_demo(repo, now)
    assert not await fill_demo(repo, now)  # only into an empty database
    officer = await repo.member_by_phone(DEMO_OFFICER_PHONE)
    assert officer is not None
    december = await repo.achieved(officer.id, date(2026, 12, 1), date(2026, 12, 31))
    assert sum(december.values()) > 0
    services = Services(repo, load_rules(), lambda: now)
    reply = await run_text(services, officer, "/tiendo tháng trước", Channel.CONSOLE, None)
    assert "Tiến độ Tháng 12/2026" in reply.text
    assert "chưa có chỉ tiêu" not in reply.text  # last year's quotas came with it
