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
    assert "Tiến độ tháng 12/2026" in reply.text
    assert "chưa có chỉ tiêu" not in reply.text  # last year's quotas came with it


async def test_the_demo_officer_has_participants_falling_due_on_the_first_day(
    repo: SQLiteRepository,
) -> None:
    now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert await fill_demo(repo, now)
    officer = await repo.member_by_phone(DEMO_OFFICER_PHONE)
    assert officer is not None
    services = Services(repo, load_rules(), lambda: now)
    reply = await run_text(services, officer, "/denhan", Channel.CONSOLE, None)
    lines = reply.text.splitlines()
    assert lines[0].startswith("Đến hạn đóng của Nguyễn Thị Lan: ")
    assert len(lines) >= 3 and all(" · BHXH tự nguyện · đóng đến " in line for line in lines[1:-1])
    lead = await repo.member_by_phone("0913000002")
    assert lead is not None
    counts = await run_text(services, lead, "/denhan", Channel.CONSOLE, None)
    assert counts.text.startswith("BHXH cơ sở Hạc Thành: ")
    assert "  Phường Hạc Thành: " in counts.text
