"""`/duyet` (`/approve`), `/tuchoi` (`/reject`) and `/nhatky` (`/audit`): reviewing entries."""

from __future__ import annotations

from datetime import timedelta

from commands.context import Services
from commands.notices import worded
from storage.repository import StaffRow
from tests.conftest import Clock
from tests.support.members import member, say
from tracker.models import Role

OTHER = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn / Phường Sầm Sơn"
EXTRA = [
    StaffRow(6, OTHER, "Đỗ Thị Mai", "0914000002", Role.OFFICER),
    StaffRow(7, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn", "Lê Văn Sơn", "0914000001", Role.LEAD),
    StaffRow(8, "BHXH tỉnh Thanh Hóa", "Hoàng Quốc Việt", "0915000001", Role.ADMIN),
]
LEAD, LAN, MAI = "0913000001", "0912000001", "0914000002"


async def month_total(services: Services, phone: str, code: str = "TN") -> int:
    who = await member(services, phone)
    unit = await services.repo.unit(who.unit_id)
    totals = await services.repo.member_totals(unit.id, "2026-11")
    return sum(t.achieved for t in totals if t.key == who.id and t.program == code)


async def states(services: Services) -> list[str]:
    return [e.entry.state.value for e in await services.repo.pending_entries(None, 100)]


async def test_pending_list_offers_buttons_newest_first(services: Services, clock: Clock) -> None:
    await say(services, LAN, "/ghi TN 2")
    clock.now += timedelta(minutes=1)
    await say(services, "0912000003", "YT 3")
    reply = await say(services, LEAD, "/duyet")
    lines = reply.text.splitlines()
    assert lines == [
        "📝 2 bản ghi đang chờ duyệt.",
        "Trang 1/1, 2 bản ghi (mới nhất trước):",
        "#2 Vũ Thị Hoa · BHYT hộ gia đình 3 người · 23/11/2026 (máy tính)",
        "#1 Nguyễn Thị Lan · BHXH tự nguyện 2 người · 23/11/2026 (máy tính)",
        "Lọc theo người: /duyet <SĐT>. Duyệt cả trang: /duyet tatca.",
    ]
    assert [[b.command for b in row] for row in reply.buttons] == [
        ["/duyet 2", "/tuchoi 2"],
        ["/duyet 1", "/tuchoi 1"],
        ["/duyet tatca trang 1"],
    ]
    assert reply.buttons[0][0].label == "✅ Duyệt #2"


async def test_the_queue_counts_pages_filters_and_approves_a_page_at_once(
    services: Services,
) -> None:
    for n in range(12):
        await say(services, LAN, f"/ghi TN {n + 1}")
    await say(services, "0912000003", "YT 3")
    reply = await say(services, LEAD, "/approve")
    assert reply.text.splitlines()[:2] == [
        "📝 13 bản ghi đang chờ duyệt.",
        "Trang 1/2, 10 bản ghi (mới nhất trước):",
    ]
    assert reply.buttons[0][0].command == "/duyet 13"
    assert [b.command for b in reply.buttons[-1]] == ["/duyet tatca trang 1", "/duyet trang 2"]
    second = await say(services, LEAD, "/duyet trang 2")
    assert second.text.splitlines()[1] == "Trang 2/2, 3 bản ghi (mới nhất trước):"
    assert [b.command for b in second.buttons[-1]] == [
        "/duyet tatca trang 2",
        "/duyet trang 1",
    ]
    hoa = await say(services, LEAD, "/duyet 0912000003")
    assert hoa.text.splitlines()[0] == "📝 1 bản ghi đang chờ duyệt của Vũ Thị Hoa."
    by_name = await say(services, LEAD, "/duyet lan")
    assert by_name.text.splitlines()[0] == "📝 12 bản ghi đang chờ duyệt của Nguyễn Thị Lan."
    # All shown on page 2, after one confirmation; nothing changes before it.
    asked = await say(services, LEAD, "/duyet tatca trang 2")
    assert asked.text.startswith("Duyệt cùng lúc 3 bản ghi: #3, #2, #1?")
    assert await states(services) == ["reported"] * 13
    done = await say(services, LEAD, "y")
    assert done.text.splitlines() == [
        "✅ Đã xác nhận bản ghi #3: Nguyễn Thị Lan · BHXH tự nguyện 3 người · 23/11/2026.",
        "✅ Đã xác nhận bản ghi #2: Nguyễn Thị Lan · BHXH tự nguyện 2 người · 23/11/2026.",
        "✅ Đã xác nhận bản ghi #1: Nguyễn Thị Lan · BHXH tự nguyện 1 người · 23/11/2026.",
    ]
    assert await states(services) == ["reported"] * 10
    left = await say(services, LEAD, "/duyet")
    assert left.text.splitlines()[:2] == [
        "📝 10 bản ghi đang chờ duyệt.",
        "Trang 1/1, 10 bản ghi (mới nhất trước):",
    ]


async def test_confirm_keeps_counting_and_is_audited(services: Services) -> None:
    await say(services, LAN, "/ghi TN 2")
    reply = await say(services, LEAD, "/duyet 1")
    assert (
        reply.text
        == "✅ Đã xác nhận bản ghi #1: Nguyễn Thị Lan · BHXH tự nguyện 2 người · 23/11/2026."
    )
    assert await month_total(services, LAN) == 2
    assert await states(services) == []
    again = await say(services, LEAD, "/duyet 1")
    assert again.text == "Bản ghi #1 đã được xác nhận, không thay đổi gì."
    [record] = await services.repo.audit_log(None, 20)
    assert (record.action, record.before) == ("entry.confirm", "reported")
    assert record.after == "confirmed"


async def test_reject_stops_counting_and_tells_the_owner(services: Services) -> None:
    await say(services, LAN, "/ghi TN 2")
    await say(services, LAN, "/ghi TN 3")
    assert await month_total(services, LAN) == 5
    reply = await say(services, LEAD, "/tuchoi 1 trung ho so")
    assert reply.text.startswith(
        "❌ Đã từ chối bản ghi #1: Nguyễn Thị Lan · BHXH tự nguyện 2 người"
    )
    assert await month_total(services, LAN) == 3
    lan = await member(services, LAN)
    [notice] = reply.direct_messages
    assert (notice.member_id, notice.tell_if_undelivered) == (
        lan.id,
        (await member(services, LEAD)).id,
    )
    assert worded(notice, "vi") == (
        "❌ Bản ghi #1 (BHXH tự nguyện 2 người, ngày 23/11/2026) của bạn đã bị Trần Minh Đức từ"
        " chối"
        " và không được tính. Lý do: trung ho so"
    )
    progress = await say(services, LAN, "/tiendo")
    assert "BHXH tự nguyện: 3/10" in progress.text
    [record] = await services.repo.audit_log(None, 20)
    assert (record.before, record.after) == ("reported", "rejected: trung ho so")
    twice = await say(services, LEAD, "/tuchoi 1")
    assert twice.text == "Bản ghi #1 đã bị từ chối, không thay đổi gì."
    assert await month_total(services, LAN) == 3


async def test_a_confirmed_entry_can_still_be_rejected_in_the_owners_language(
    services: Services,
) -> None:
    await say(services, LAN, "/ghi TN 4")
    await say(services, LAN, "/ngonngu en")
    await say(services, LEAD, "/duyet 1")
    reply = await say(services, LEAD, "/reject 1")
    assert await month_total(services, LAN) == 0
    [notice] = reply.direct_messages
    assert worded(notice, "en").endswith("Reason: none given, please ask your team lead.")


async def test_review_outside_the_subtree_finds_nothing(services: Services) -> None:
    await services.repo.import_staff(EXTRA)
    await say(services, MAI, "/ghi TN 2")
    for text in ("/duyet 1", "/tuchoi 1 sai"):
        reply = await say(services, LEAD, text)
        assert reply.text == "Không tìm thấy bản ghi #1 trong đơn vị bạn quản lý."
    assert (await say(services, LEAD, "/duyet")).text == "Không có bản ghi nào đang chờ duyệt."
    assert await month_total(services, MAI) == 2
    assert await states(services) == ["reported"]
    assert await services.repo.audit_log(None, 20) == []
    admin = await say(services, "0915000001", "/tuchoi 1")
    assert admin.text.startswith("❌ Đã từ chối bản ghi #1")
    assert await month_total(services, MAI) == 0


async def test_usage_errors(services: Services) -> None:
    assert (await say(services, LEAD, "/duyet abc")).text.startswith('Không tìm thấy ai tên "abc"')
    assert (await say(services, LEAD, "/tuchoi")).text.startswith("Cách từ chối")
    assert (await say(services, LEAD, "/tuchoi 99")).text.startswith("Không tìm thấy bản ghi #99")


async def test_audit_log_lists_the_last_twenty_within_the_subtree(
    services: Services, clock: Clock
) -> None:
    await services.repo.import_staff(EXTRA)
    empty = await say(services, LEAD, "/nhatky")
    assert empty.text == "Chưa có thay đổi nào trong đơn vị của bạn."
    for n in range(22):
        clock.now += timedelta(minutes=1)
        await say(services, LEAD, f"/chitieu 0912000001 TN 2026 {200 + n}")
    await say(services, "0915000001", "/chitieu 0914000002 TN 2026 50")
    reply = await say(services, LEAD, "/nhatky")
    lines = reply.text.splitlines()
    assert lines[0] == "🗂 20 thay đổi gần nhất:"
    assert lines[1] == (
        "23/11 10:22 · Trần Minh Đức · chỉ tiêu · Nguyễn Thị Lan (0912000001) · TN 2026: 220 → 221"
    )
    assert len(lines) == 21 and "Đỗ Thị Mai" not in reply.text
    other_lead = await say(services, "0914000001", "/audit")
    assert other_lead.text.splitlines()[1].endswith("Đỗ Thị Mai (0914000002) · TN 2026: — → 50")
    assert len(other_lead.text.splitlines()) == 2
    admin = await say(services, "0915000001", "/nhatky")
    assert len(admin.text.splitlines()) == 21 and "Đỗ Thị Mai" in admin.text
    assert [r.after for r in await services.repo.audit_log(None, 100)][-1] == "200"
