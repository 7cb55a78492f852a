"""`/chitieu` (`/quota`): setting quotas, splitting a year, derived targets after a split."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.context import Services
from commands.quota_split import plan_quotas, seasonal_weights
from storage.repository import StaffRow
from tests.support.members import quota_book, say
from tracker.errors import UserError
from tracker.models import Role, TargetKind
from tracker.periods import PeriodKind, parse_period
from tracker.quotas import target_for

OTHER_OFFICE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn"
EXTRA = [
    StaffRow(6, f"{OTHER_OFFICE} / Phường Sầm Sơn", "Đỗ Thị Mai", "0914000002", Role.OFFICER),
    StaffRow(7, "BHXH tỉnh Thanh Hóa", "Hoàng Quốc Việt", "0915000001", Role.ADMIN),
]


def test_plan_without_split_is_the_period_alone() -> None:
    assert plan_quotas(parse_period("2026-Q1"), 30, existing=["2026"]) == {"2026-Q1": 30}


def test_even_split_into_quarters_removes_contradicting_months_and_weeks() -> None:
    plan = plan_quotas(
        parse_period("2026"), 10, PeriodKind.QUARTER, existing=["2026-03", "2026-W10", "2025-12"]
    )
    assert plan == {
        "2026": 10,
        "2026-Q1": 3,
        "2026-Q2": 3,
        "2026-Q3": 2,
        "2026-Q4": 2,
        "2026-03": None,
        "2026-W10": None,
    }


def test_even_split_into_months_sets_quarters_to_their_sums() -> None:
    plan = plan_quotas(parse_period("2026"), 130, PeriodKind.MONTH)
    months = [plan[f"2026-{m:02d}"] for m in range(1, 13)]
    assert months == [11] * 10 + [10, 10]
    assert [plan[f"2026-Q{q}"] for q in range(1, 5)] == [33, 33, 33, 31]
    assert plan["2026"] == 130


def test_seasonal_split_follows_the_profile_and_adds_up() -> None:
    weights = seasonal_weights()
    assert len(weights) == 12 and weights[1] < weights[11]  # Tết low, year end high
    plan = plan_quotas(parse_period("2026"), 120, PeriodKind.MONTH, weights)
    months = [plan[f"2026-{m:02d}"] or 0 for m in range(1, 13)]
    assert sum(months) == 120
    assert months == [7, 6, 10, 10, 10, 10, 9, 9, 11, 12, 13, 13]
    quarters = plan_quotas(parse_period("2026"), 100, PeriodKind.QUARTER, weights)
    assert [quarters[f"2026-Q{q}"] for q in range(1, 5)] == [19, 24, 25, 32]


def test_a_quarter_splits_into_its_months_and_a_month_cannot_split() -> None:
    plan = plan_quotas(parse_period("2026-Q4"), 31, PeriodKind.MONTH)
    assert plan == {"2026-Q4": 31, "2026-10": 11, "2026-11": 10, "2026-12": 10}
    with pytest.raises(UserError):
        plan_quotas(parse_period("2026-11"), 31, PeriodKind.MONTH)
    with pytest.raises(UserError):
        plan_quotas(parse_period("2026-Q4"), 31, PeriodKind.QUARTER)


def test_a_broken_profile_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "seasonal.toml"
    broken.write_text("months = [1, 2, 3]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="12 whole numbers"):
        seasonal_weights(broken)


async def test_lead_sets_a_member_quota_by_any_phone_form(services: Services) -> None:
    reply = await say(services, "0913000001", "/chitieu +84 912 000 001 TN 2026 150")
    assert (
        reply.text
        == "✅ Chỉ tiêu BHXH tự nguyện năm 2026 của Nguyễn Thị Lan (0912000001): 120 → 150."
    )
    assert await quota_book(services, "0912000001") == {"2026": 150}
    [record] = await services.repo.audit_log(None, 20)
    assert (record.action, record.before, record.after) == ("quota", "120", "150")
    assert record.subject == "Nguyễn Thị Lan (0912000001) · TN 2026"
    assert record.actor_name == "Trần Minh Đức"


async def test_split_into_months_then_weeks_derive_from_the_months(services: Services) -> None:
    asked = await say(services, "0913000001", "/chitieu 0912000001 tn 2026 120 chia thang mua")
    assert "(chưa lưu)" in asked.text and "Chia lại cả năm" in asked.text
    assert await quota_book(services, "0912000001") == {"2026": 120}  # nothing before the answer
    reply = await say(services, "0913000001", "y")
    assert "Chia theo tháng (theo mùa vụ): 2026-01: 7, 2026-02: 6" in reply.text
    quotas = await quota_book(services, "0912000001")
    assert sum(quotas[f"2026-{m:02d}"] for m in range(1, 13)) == 120
    assert quotas["2026-02"] == 6 and quotas["2026-11"] == 13
    # A week derives from the months it falls in: W48 lies inside November (30 days).
    assert target_for(parse_period("2026-W48"), quotas) == 3  # 13 * 7 / 30 = 3.03
    # W05 straddles January (7 of 31 → 4/31 days) and February (6 of 28 → 3/28 days).
    assert target_for(parse_period("2026-W05"), quotas) == round(7 * 4 / 31 + 6 * 3 / 28)
    progress = await say(services, "0912000001", "/tiendo")
    assert "BHXH tự nguyện: 0/13 (0,00%)" in progress.text
    # Re-splitting into quarters removes the months that would now contradict it.
    await say(services, "0913000001", "/quota 0912000001 TN 2026 100 split quarter")
    again = await say(services, "0913000001", "yes")
    assert "Split" not in again.text and "Chia theo quý (đều): 2026-Q1: 25" in again.text
    assert "Đã bỏ các chỉ tiêu cũ mâu thuẫn: 2026-01" in again.text
    assert await quota_book(services, "0912000001") == {
        "2026": 100,
        "2026-Q1": 25,
        "2026-Q2": 25,
        "2026-Q3": 25,
        "2026-Q4": 25,
    }
    records = await services.repo.audit_log(None, 100)
    removed = [r for r in records if r.subject.endswith("TN 2026-01")]
    assert [(r.before, r.after) for r in removed] == [("7", None), (None, "7")]


async def test_unit_quota_by_name_fragment(services: Services) -> None:
    reply = await say(services, "0913000001", "/chitieu buu dien YT 2026-Q4 90")
    unit_path = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Bưu điện Hạc Thành"
    assert reply.text == f"✅ Chỉ tiêu BHYT hộ gia đình quý IV/2026 của {unit_path}: — → 90."
    unit = await services.repo.unit_by_path(unit_path)
    assert unit is not None
    assert await services.repo.quota_books(TargetKind.UNIT, unit.id) == {"YT": {"2026-Q4": 90}}
    ambiguous = await say(services, "0913000001", "/chitieu hac thanh YT 2026 90")
    assert ambiguous.text.startswith("Có nhiều đơn vị trùng tên")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/chitieu 0912000001 XX 2026 10", "Không có loại hình"),
        ("/chitieu 0912000001 TN 2026-13 10", "Không hiểu kỳ"),
        ("/chitieu 0912000001 TN 2026 12.5", "Không hiểu cách chia"),
        (
            "/chitieu 0912000001 TN 2026 2000000",
            "quá lớn cho BHXH tự nguyện: tối đa 500.000",
        ),
        ("/chitieu 0912000001 TN 2026 abc", 'Chỉ tiêu "abc" không hợp lệ'),
        ("/chitieu 0912000001 TN 2026", "Cách đặt chỉ tiêu"),
        ("/chitieu TN 2026 10", "Cách đặt chỉ tiêu"),
        ("/chitieu 0912000001 TN 2026-11 10 chia thang", "Không hiểu cách chia"),
        ("/chitieu 0912000001 TN 2026 10 chia tuan", "Không hiểu cách chia"),
        ("/chitieu 12345 TN 2026 10", '"12345" không phải số di động'),
        # Outside the lead's units or nowhere: the same answer, quoting only what was typed.
        ("/chitieu 0987654321 TN 2026 10", "Không có ai với số 0987654321 trong các đơn vị"),
        ("/chitieu 0914000002 TN 2026 10", "Không có ai với số 0914000002 trong các đơn vị"),
        ("/chitieu Phuong Khong Co TN 2026 10", 'Không tìm thấy đơn vị "Phuong Khong Co"'),
        ("/chitieu Sam Son TN 2026 10", 'Không tìm thấy đơn vị "Sam Son"'),
        ("/chitieu BHXH tinh Thanh Hoa TN 2026 10", 'Không tìm thấy đơn vị "BHXH tinh Thanh Hoa"'),
    ],
)
async def test_refusals_say_why_and_change_nothing(
    services: Services, text: str, expected: str
) -> None:
    await services.repo.import_staff(EXTRA)
    reply = await say(services, "0913000001", text)
    assert expected in reply.text
    assert await quota_book(services, "0912000001") == {"2026": 120}
    assert await quota_book(services, "0914000002") == {}
    assert await services.repo.audit_log(None, 20) == []


async def test_admin_sets_quotas_anywhere(services: Services) -> None:
    await services.repo.import_staff(EXTRA)
    await say(services, "0915000001", "/quota 0914000002 TN 2026 60 split quarter")
    reply = await say(services, "0915000001", "co")
    assert "2026-Q4: 15" in reply.text
    assert (await quota_book(services, "0914000002"))["2026"] == 60
    top = await say(services, "0915000001", "/chitieu tinh Thanh Hoa TN 2026 1000")
    assert top.text.endswith("BHXH tỉnh Thanh Hóa: — → 1.000.")
