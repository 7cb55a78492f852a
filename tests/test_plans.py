"""Plans as BHXH counts them, through the commands on real SQLite: a unit's own plan
seen alike by its lead, its parent and the export; a plan for one month leaving the
year alone; a yearly plan of 3; a closed month; a member who moves."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook

from commands.context import Services
from commands.registry import run_text
from commands.summary_data import gather_summary
from commands.summary_text import Total, compose_summary
from locales import Translator
from storage.repository import QuotaRow, StaffRow
from tests.conftest import COMMUNE, NOW, OFFICE, POST_OFFICE
from tests.support.members import member, say
from tracker.models import Channel, NewEntry, Role, TargetKind
from tracker.periods import VIETNAM, parse_period

PROVINCE = "BHXH tỉnh Thanh Hóa"
DAY = date(2026, 11, 23)
LAN, NAM, HOA, LEAD, ADMIN = "0912000001", "0912000002", "0912000003", "0913000001", "0915000001"


async def logged(services: Services, phone: str, program: str, day: date, count: int) -> None:
    """Entries as an import would store them: up to 50 a day, from `day` on."""
    who = await member(services, phone)
    while count > 0:
        part = min(count, 50)
        at = datetime.combine(day, time(9), VIETNAM)
        await services.repo.add_entry(
            NewEntry(who.id, who.unit_id, program, day, part, Channel.IMPORT, at)
        )
        count -= part
        day += timedelta(days=1)


async def plan(services: Services, unit: str, program: str, period: str, value: int) -> None:
    await services.repo.import_quotas(
        [QuotaRow(0, TargetKind.UNIT, unit, program, period, value)], NOW
    )


async def with_admin(services: Services) -> None:
    await services.repo.import_staff([StaffRow(6, PROVINCE, "Lê Văn Hùng", ADMIN, Role.ADMIN)])


async def test_a_units_plan_is_its_target_for_its_lead_its_parent_and_the_export(
    services: Services,
) -> None:
    await with_admin(services)
    await plan(services, OFFICE, "TN", "2026", 1_577)
    await logged(services, LAN, "TN", date(2026, 3, 2), 1_000)
    await logged(services, HOA, "TN", date(2026, 6, 1), 609)
    # Personal quotas: TN 120 a year for each of three field staff (360).
    beside = "kế hoạch phát triển mới (tổng chỉ tiêu cá nhân 360)"

    progress = (await say(services, LEAD, "/tiendo năm")).text.splitlines()
    assert progress[:3] == [
        "📊 Tiến độ năm 2026",
        "Đơn vị BHXH cơ sở Hạc Thành:",
        f"BHXH tự nguyện: 1.609/1.577 (102,02%) · đã hoàn thành 🎉 · {beside}",
    ]
    assert "chưa có chỉ tiêu" not in "\n".join(progress)  # the lead has no quota

    board = (await say(services, LEAD, "/bxh năm TN")).text.splitlines()
    assert board[-1] == f"Cả đơn vị: 1.609/1.577 (102,02%) · {beside}"

    units = (await say(services, ADMIN, "/donvi năm TN")).text.splitlines()
    assert units[1] == f"🥇 1. BHXH cơ sở Hạc Thành — 1.609/1.577 (102,02%) · {beside}"

    # The summary (/tonghop) and the trend chart (/bieudo) measure the office alike.
    office = await services.repo.unit_by_path(OFFICE)
    assert office is not None
    data = await gather_summary(services.repo, services.rules, office, parse_period("2026"), DAY)
    assert data.totals[0] == Total("TN", 1_609, 1_577)
    assert "· BHXH tự nguyện: 1.609/1.577 (102,02%)" in compose_summary(Translator("vi"), data)

    export = await say(services, LEAD, "/xuat năm")
    sheet = load_workbook(io.BytesIO(export.attachments[0].content))["Đơn vị"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert (OFFICE, "BHXH tự nguyện", 1_609, 1_577, "kế hoạch phát triển mới", 360, 102.02) in rows


async def test_each_donvi_row_says_whether_its_target_is_a_plan_or_its_members(
    services: Services,
) -> None:
    # The commune has its own TN plan of 300 (its two officers' quotas add up to 240);
    # the post office has none: its agent's 120 TN and 240 YT are its targets.
    await plan(services, COMMUNE, "TN", "2026", 300)
    await logged(services, LAN, "TN", date(2026, 3, 2), 150)
    await logged(services, HOA, "TN", date(2026, 6, 1), 90)
    units = (await say(services, LEAD, "/donvi năm TN")).text.splitlines()
    assert units[:4] == [  # then the participants, as in every lead's /donvi
        "🏢 Xếp hạng đơn vị năm 2026 · BHXH cơ sở Hạc Thành (BHXH tự nguyện)",
        "🥇 1. Bưu điện Hạc Thành — 90/120 (75,00%) · tổng chỉ tiêu cá nhân",
        "🥈 2. Phường Hạc Thành — 150/300 (50,00%)"
        " · kế hoạch phát triển mới (tổng chỉ tiêu cá nhân 240)",
        "Cả BHXH cơ sở Hạc Thành: 240/420 (57,14%) · tổng chỉ tiêu cá nhân",
    ]
    # Both programs: each measured apart, then added up, the rows as the total line.
    # The commune: its TN plan 300 and its officers' YT 480 (780); beside it, the
    # officers' quotas in both (720). The post office: 120 + 240.
    both = (await say(services, LEAD, "/donvi năm")).text.splitlines()
    assert both[:4] == [
        "🏢 Xếp hạng đơn vị năm 2026 · BHXH cơ sở Hạc Thành (BHXH tự nguyện + BHYT hộ gia đình)",
        "🥇 1. Bưu điện Hạc Thành — 90/360 (25,00%) · tổng chỉ tiêu cá nhân",
        "🥈 2. Phường Hạc Thành — 150/780 (19,23%)"
        " · kế hoạch phát triển mới (tổng chỉ tiêu cá nhân 720)",
        "Cả BHXH cơ sở Hạc Thành: 240/1.140 (21,05%) · tổng chỉ tiêu cá nhân",
    ]
    await say(services, LEAD, "/lang en")
    english = (await say(services, LEAD, "/units year TN")).text.splitlines()
    assert english[1:3] == [
        "🥇 1. Bưu điện Hạc Thành — 90/120 (75.00%) · personal quotas added up",
        "🥈 2. Phường Hạc Thành — 150/300 (50.00%)"
        " · plan for new enrolments (personal quotas add up to 240)",
    ]
    # An SMS has no room for the source: the short line as before.
    await say(services, LEAD, "/lang vi")
    sms = await run_text(services, await member(services, LEAD), "/donvi nam TN", Channel.SMS, None)
    assert sms.text.splitlines()[:3] == [
        "Xep hang don vi nam 2026 - BHXH co so Hac Thanh (TN)",
        "1.Buu dien Hac Thanh 75%",
        "2.Phuong Hac Thanh 50%",
    ]


async def test_a_plan_for_one_month_leaves_the_year_target_alone(services: Services) -> None:
    await with_admin(services)
    await logged(services, LAN, "TN", date(2026, 11, 2), 30)
    before = (await say(services, ADMIN, "/donvi năm TN")).text
    assert "BHXH cơ sở Hạc Thành — 30/360 (8,33%)" in before
    await plan(services, OFFICE, "TN", "2026-12", 40)
    after = (await say(services, ADMIN, "/donvi năm TN")).text
    assert after == before
    lead = (await say(services, LEAD, "/tiendo năm")).text
    assert "BHXH tự nguyện: 30/360 (8,33%) · chậm" in lead and "· tổng chỉ tiêu cá nhân" in lead
    december = (await say(services, ADMIN, "/donvi 2026-12 TN")).text
    assert "BHXH cơ sở Hạc Thành — 0/40 (0,00%)" in december


async def test_a_yearly_plan_of_three_shows_the_year_not_zero(services: Services) -> None:
    await services.repo.import_staff([StaffRow(7, COMMUNE, "Đỗ Văn Ba", "0912000009", Role.AGENT)])
    await services.repo.import_quotas(
        [QuotaRow(0, TargetKind.MEMBER, "0912000009", "TN", "2026", 3)], NOW
    )
    for month in (7, 8, 9, 10, 11):
        await logged(services, "0912000009", "TN", date(2026, month, 3), 2)
    month = (await say(services, "0912000009", "/tiendo")).text
    assert (
        "BHXH tự nguyện: 2 · chưa giao chỉ tiêu tháng · cả năm 3: đã đạt 10" in month.splitlines()
    )
    year = (await say(services, "0912000009", "/tiendo năm")).text
    assert "BHXH tự nguyện: 10/3 (333,33%) · đã hoàn thành 🎉" in year.splitlines()
    board = (await say(services, "0912000009", "/bxh TN")).text
    assert "Đỗ Văn Ba —" not in board  # never ranked at 0%: listed apart
    assert "Đỗ Văn Ba (2)" in board
    for text in (month, year, board):
        assert "None" not in text and "0/0" not in text


async def test_a_closed_month_says_short_by_four(services: Services) -> None:
    # October: 120 a year x 31/365 = 10,19, so 10; Lan logged 6.
    await logged(services, LAN, "TN", date(2026, 10, 5), 6)
    lines = (await say(services, LAN, "/tiendo tháng trước")).text.splitlines()
    assert lines[1] == "BHXH tự nguyện: 6/10 (60,00%) · không đạt, thiếu 4 người"
    assert not any("cần đạt" in line for line in lines)  # no pace for a closed month
    await logged(services, NAM, "TN", date(2026, 10, 5), 10)
    await logged(services, HOA, "TN", date(2026, 10, 5), 13)
    assert (
        "BHXH tự nguyện: 10/10 (100,00%) · đạt kế hoạch"
        in (await say(services, NAM, "/tiendo tháng trước")).text
    )
    assert (
        "BHXH tự nguyện: 13/10 (130,00%) · vượt kế hoạch 3 người"
        in (await say(services, HOA, "/tiendo tháng trước")).text
    )


async def test_a_member_moved_mid_month(services: Services) -> None:
    await logged(services, LAN, "TN", date(2026, 11, 5), 5)
    await services.repo.import_staff(
        [StaffRow(2, POST_OFFICE, "Nguyễn Thị Lan", LAN, Role.OFFICER)]
    )
    await logged(services, LAN, "TN", date(2026, 11, 20), 3)
    # The new unit's board lists her with all her entries of the month ...
    post = (await say(services, HOA, "/bxh TN")).text
    assert "Nguyễn Thị Lan — 8/10 (80,00%)" in post
    # ... the old one no longer shows her,
    commune = (await say(services, NAM, "/bxh TN")).text
    assert "Nguyễn Thị Lan" not in commune
    # and each unit keeps the entries logged in it.
    units = (await say(services, LEAD, "/donvi TN")).text
    assert "Phường Hạc Thành — 5/10 (50,00%)" in units
    assert "Bưu điện Hạc Thành — 3/20 (15,00%)" in units


async def test_completion_and_the_converted_score_are_labelled_apart(services: Services) -> None:
    await services.repo.import_staff(
        [StaffRow(7, COMMUNE, "Đỗ Văn Ba", "0912000009", Role.OFFICER)]
    )
    await services.repo.import_quotas(
        [QuotaRow(0, TargetKind.MEMBER, "0912000009", "TN", "2026", 10)], NOW
    )
    await say(services, "0912000009", "/ghi TN 10 ky=12")
    progress = (await say(services, "0912000009", "/tiendo năm")).text
    assert "BHXH tự nguyện: 10/10 (100,00%) · đã hoàn thành 🎉" in progress
    emulation = (await say(services, "0912000009", "/thidua")).text.splitlines()
    assert emulation[1:3] == [
        "Hoàn thành kế hoạch phát triển mới: BHXH tự nguyện 100,00%",
        "Điểm quy đổi hiện tại: 130 (kỳ hạn đóng dài) · Hoàn thành xuất sắc nhiệm vụ",
    ]


async def test_payment_terms_are_those_of_the_program(services: Services) -> None:
    refused = await say(services, LAN, "/ghi YT 1 ky=1")
    assert refused.text == (
        "Phương thức đóng 1 tháng không áp dụng cho BHYT hộ gia đình: chọn 3, 6, 12 tháng."
    )
    assert (
        await services.repo.member_period((await member(services, LAN)).id, "2026-11")
    ).achieved == {}
    household = (await say(services, LAN, "/ghi YT 1 ky=6")).text
    assert "Đã ghi 1 người tham gia BHYT hộ gia đình" in household
    voluntary = (await say(services, LAN, "/ghi TN 1 ky=1")).text
    assert "Đã ghi 1 người tham gia BHXH tự nguyện" in voluntary
    logged_yt = await say(services, LAN, "/ghi YT 1")
    assert [b.label for b in logged_yt.buttons[0]] == ["3 tháng", "6 tháng", "12 tháng"]
    entry_id = logged_yt.buttons[0][0].command.split()[1]
    again = await say(services, LAN, f"/kyhan {entry_id} 1")
    assert again.text.startswith("Phương thức đóng 1 tháng không áp dụng cho BHYT hộ gia đình")
    english = await say(services, LAN, "/ngonngu en")
    assert english.text
    assert (await say(services, LAN, "/log YT 1 ky=24")).text == (
        "A 24-month payment term does not apply to Household health insurance:"
        " choose 3, 6, 12 months."
    )
