"""A unit's plan for participants in total (issue 14): set with `/chitieu … tong` or
the `kind` column of import-quotas, measured against the unit's participant count, and
said so; enrolment quotas and boards are left as they were."""

from __future__ import annotations

import pytest

from commands.context import Services
from storage.repository import QuotaRow
from tests.conftest import NOW, OFFICE
from tests.support.members import say
from tests.test_participant_report import organisation
from tracker.imports import Problem, parse_quotas
from tracker.models import PlanKind, TargetKind
from tracker.periods import parse_period
from tracker.quotas import total_plan_for

LEAD, LAN = "0913000001", "0912000001"
HEADER = "target_kind,target,program,period,quota,kind\n"


async def ranking(services: Services) -> list[str]:
    """The lead's /donvi for the year down to its total line: the enrolment part."""
    lines = (await say(services, LEAD, "/donvi năm")).text.splitlines()
    return lines[: lines.index("👥 Người tham gia · BHXH cơ sở Hạc Thành:")]


@pytest.mark.parametrize(
    ("period", "plans", "expected"),
    [
        ("2026", {"2026": 20_869}, ("2026", 20_869)),
        # A month of a year planned in total shows the year's plan: never a share.
        ("2026-11", {"2026": 20_869}, ("2026", 20_869)),
        ("2026-W48", {"2026": 20_869, "2026-Q4": 20_000}, ("2026-Q4", 20_000)),
        ("2026-11", {"2026-11": 19_000, "2026": 20_869}, ("2026-11", 19_000)),
        # Never added up from its parts, and a plan of 0 is none.
        ("2026", {"2026-Q1": 5, "2026-Q2": 5, "2026-Q3": 5, "2026-Q4": 5}, None),
        ("2026-11", {"2026": 0}, None),
        ("2026-11", {"2025": 900}, None),
    ],
)
def test_a_total_plan_is_a_level_for_the_period_or_the_one_around_it(
    period: str, plans: dict[str, int], expected: tuple[str, int] | None
) -> None:
    found = total_plan_for(parse_period(period), plans)
    assert (None if found is None else (found[0].key, found[1])) == expected


def test_the_kind_column_of_import_quotas() -> None:
    rows, problems = parse_quotas(
        HEADER
        + "unit,BHXH cơ sở Hạc Thành,TN,2026,1200,total\n"
        + "unit,BHXH cơ sở Hạc Thành,TN,2026,300,tong\n"
        + "unit,BHXH cơ sở Hạc Thành,TN,2026,400,moi\n"
        + "member,0912000001,TN,2026,120,\n"
        + "member,0912000001,TN,2026,120,total\n"
        + "unit,BHXH cơ sở Hạc Thành,TN,2026,120,later\n",
        ("TN", "YT"),
    )
    assert [(row.line, row.value, row.plan_kind) for row in rows] == [
        (2, 1200, PlanKind.TOTAL),
        (3, 300, PlanKind.TOTAL),
        (4, 400, PlanKind.ENROLMENTS),
        (5, 120, PlanKind.ENROLMENTS),
    ]
    assert problems == [
        Problem(6, "import.total_for_member", {"given": "0912000001"}),
        Problem(7, "import.bad_plan_kind", {"given": "later"}),
    ]
    # The file of before, without the column, reads as before: enrolments.
    old, none = parse_quotas(
        "target_kind,target,program,period,quota\nmember,0912000001,TN,2026,120\n", ("TN",)
    )
    assert none == [] and [row.plan_kind for row in old] == [PlanKind.ENROLMENTS]


async def test_a_total_plan_is_measured_against_the_participant_count(
    services: Services,
) -> None:
    await organisation(services)  # TN: 1.104 participants on 23/11/2026
    reply = await say(services, LEAD, "/chitieu BHXH cơ sở Hạc Thành TN 2026 1200 tong")
    assert reply.text == (
        "✅ Kế hoạch tổng số người tham gia BHXH tự nguyện năm 2026 của BHXH tỉnh Thanh Hóa / BHXH"
        " cơ sở"
        " Hạc Thành: — → 1.200 người. Đo theo số người tham gia của đơn vị, không theo số"
        " khai thác mới."
    )
    [change] = await services.repo.audit_log(None, 1)
    assert (change.action, change.subject, change.before, change.after) == (
        "total_plan",
        f"{OFFICE} · TN 2026",
        None,
        "1200",
    )
    progress = (await say(services, LEAD, "/tiendo")).text.splitlines()
    # The enrolment lines keep the members' quotas (a month of 3 x 120 a year)...
    assert (
        progress[2]
        == "BHXH tự nguyện: 4/30 (13,33%) · chậm 19 người so với tiến độ · tổng chỉ tiêu cá nhân"
    )
    # ... and the participants are measured against the plan for participants in total.
    at = progress.index("👥 Người tham gia · BHXH cơ sở Hạc Thành:")
    assert progress[at + 1 : at + 3] == [
        "BHXH tự nguyện: 1.104 người (ngày 23/11/2026)"
        " · tăng 104 người (10,40%) so với cùng kỳ năm trước",
        "  kế hoạch tổng số người tham gia năm 2026: 1.104/1.200 (92,00%)",
    ]
    units = (await say(services, LEAD, "/donvi")).text.splitlines()
    assert "  kế hoạch tổng số người tham gia năm 2026: 1.104/1.200 (92,00%)" in units
    # A plan for YT, which has no count yet, says so.
    await say(services, LEAD, "/chitieu BHXH cơ sở Hạc Thành YT 2026-11 50 tong")
    progress = (await say(services, LEAD, "/tiendo")).text.splitlines()
    assert progress[-2:] == [
        "  kế hoạch tổng số người tham gia tháng 11/2026: 50 người"
        " (chưa có số người tham gia để so)",
        "  khai thác mới 0 · tham gia lại 0 · gia hạn 0 · dừng đóng 0"
        " · tỷ lệ duy trì: chưa ai đến hạn",
    ]
    await say(services, LEAD, "/lang en")
    english = (await say(services, LEAD, "/progress")).text
    assert "  plan for participants in total, year 2026: 1,104/1,200 (92.00%)" in english


async def test_total_plans_are_for_units_and_leave_enrolment_quotas_alone(
    services: Services,
) -> None:
    before = await ranking(services)
    refused = await say(services, LEAD, "/chitieu 0912000001 TN 2026 10 tong")
    assert refused.text == (
        "Kế hoạch tổng số người tham gia chỉ giao cho đơn vị, không giao cho từng người:"
        ' bỏ chữ "tong" để đặt chỉ tiêu khai thác mới.'
    )
    split = await say(services, LEAD, "/chitieu BHXH cơ sở Hạc Thành TN 2026 1200 tong chia thang")
    assert split.text == (
        "Kế hoạch tổng số người tham gia không chia theo quý, tháng:"
        " số người tham gia là mức phải đạt cuối kỳ."
    )
    officer = await say(services, LAN, "/chitieu BHXH cơ sở Hạc Thành TN 2026 1200 tong")
    assert "Kế hoạch tổng số" not in officer.text
    repo = services.repo
    office = await repo.unit_by_path(OFFICE)
    assert office is not None
    assert await repo.total_plan_books(office.id) == {}
    await repo.import_quotas(
        [QuotaRow(2, TargetKind.UNIT, OFFICE, "TN", "2026", 1_200, PlanKind.TOTAL)], NOW
    )
    assert await repo.total_plan_books(office.id) == {"TN": {"2026": 1_200}}
    # The unit's enrolment quotas and the boards do not move.
    assert await repo.quota_books(TargetKind.UNIT, office.id) == {}
    assert await ranking(services) == before
