"""The demo organisation: what a newcomer sees must have numbers, whatever the date."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from admin.demo import DEMO_OFFICER_PHONE, OFFICE_PLAN, PLANNED_OFFICE, PROVINCE, fill_demo
from commands.context import Reply, Services
from commands.registry import run_text
from locales import Translator
from storage.sqlite import SQLiteRepository
from tracker.models import Channel
from tracker.percent import Percent
from tracker.rules import load_rules

OFFICE_PATH = f"{PROVINCE} / {PLANNED_OFFICE}"


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


async def test_the_demo_office_with_its_own_plan_reads_the_same_everywhere(
    repo: SQLiteRepository,
) -> None:
    """Issue 13, tried as a new user would: the office with its own plan, seen by its
    lead in /tiendo, /bxh, /donvi and /xuat, against the same plan and the same count."""
    now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert await fill_demo(repo, now)
    lead = await repo.member_by_phone("0913000002")  # the lead of the planned office
    assert lead is not None
    services = Services(repo, load_rules(), lambda: now)

    async def say(text: str) -> Reply:
        return await run_text(services, lead, text, Channel.CONSOLE, None)

    progress = (await say("/tiendo năm")).text.splitlines()
    assert progress[1] == f"Đơn vị {PLANNED_OFFICE}:"
    achieved = {}
    for code, name in (("TN", "BHXH tự nguyện"), ("YT", "BHYT hộ gia đình")):
        plan = Translator().number(OFFICE_PLAN[code])
        # `BHXH tự nguyện: 527/700 (75,28%) · … · kế hoạch phát triển mới (tổng chỉ tiêu …`
        against = rf"{name}: ([\d.]+)/{re.escape(plan)} \(.* · kế hoạch phát triển mới \("
        [found] = [m for line in progress if (m := re.match(against, line))]
        achieved[code] = int(found[1].replace(".", ""))
    total = Translator().number(sum(achieved.values()))
    whole_plan = Translator().number(sum(OFFICE_PLAN.values()))
    percent = Translator().percent(Percent.of(sum(achieved.values()), sum(OFFICE_PLAN.values())))
    office_total = f"{total}/{whole_plan} ({percent}) · kế hoạch phát triển mới"
    board = (await say("/bxh năm")).text.splitlines()
    assert board[-2].startswith(f"Cả đơn vị: {office_total} (tổng chỉ tiêu cá nhân ")
    units = (await say("/donvi năm")).text
    assert f"Cả {PLANNED_OFFICE}: {office_total} (tổng chỉ tiêu cá nhân " in units
    export = await say("/xuat năm")
    sheet = load_workbook(io.BytesIO(export.attachments[0].content))["Đơn vị"]
    office_rows = [row for row in sheet.iter_rows(values_only=True) if row[0] == OFFICE_PATH]
    assert [row[1:5] for row in office_rows] == [
        ("BHXH tự nguyện", achieved["TN"], OFFICE_PLAN["TN"], "kế hoạch phát triển mới"),
        ("BHYT hộ gia đình", achieved["YT"], OFFICE_PLAN["YT"], "kế hoạch phát triển mới"),
    ]
