"""Changes nobody meant (issue 12): a period word and a number, big or past quota changes,
undo of a confirmed entry, reopening a rejected one. Exact inputs from the issue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from commands.context import Services
from storage.backends import open_repository
from tests.conftest import Clock
from tests.support.cli import bot, rows, staffed
from tests.support.db import database_url
from tests.support.db import rows as db_rows
from tests.support.members import quota_book, say
from tracker.models import Channel

LEAD, LAN, NAM = "0913000001", "0912000001", "0912000002"


def entries(tmp_path: Path) -> list[tuple[object, ...]]:
    """(id, state) of every entry, read from the database file itself."""
    return db_rows(tmp_path, "SELECT id, state FROM entries ORDER BY id")


async def test_thang_12_alone_is_asked_about_and_changes_nothing(services: Services) -> None:
    reply = await say(services, LEAD, "/chitieu 0912000002 TN tháng 12")
    assert reply.text == (
        '"tháng 12" có thể hiểu hai cách: tháng 12/2026 (khi đó hãy thêm số chỉ tiêu:'
        " /chitieu 0912000002 TN 2026-12 <số>), hoặc chỉ tiêu tháng 11/2026 là 12."
        " Đồng ý nghĩa là đặt chỉ tiêu tháng 11/2026 là 12.\nGõ y để đồng ý, n để bỏ."
    )
    assert await quota_book(services, NAM) == {"2026": 120}
    assert await services.repo.audit_log(None, 10) == []
    # Saying no leaves everything as it was; saying yes picks the other reading.
    assert (await say(services, LEAD, "n")).text == "Đã bỏ, không thay đổi gì."
    assert (await say(services, LEAD, "y")).text == "Không có điều gì đang chờ bạn xác nhận."
    assert await quota_book(services, NAM) == {"2026": 120}


async def test_a_period_word_followed_by_a_number_is_that_period(services: Services) -> None:
    reply = await say(services, LEAD, "/chitieu 0912000002 TN tháng 12 15")
    assert (
        reply.text
        == "✅ Chỉ tiêu BHXH tự nguyện tháng 12/2026 của Phạm Văn Nam (0912000002): — → 15."
    )
    assert await quota_book(services, NAM) == {"2026": 120, "2026-12": 15}


async def test_thang_10_is_october_and_a_past_month_is_confirmed_first(
    services: Services,
) -> None:
    asked = await say(services, LEAD, "/chitieu 0912000002 TN thang 10 15")
    assert asked.text == (
        "Chỉ tiêu BHXH tự nguyện tháng 10/2026 của Phạm Văn Nam (0912000002): — → 15 (chưa lưu).\n"
        "⚠️ Kỳ tháng 10/2026 đã qua.\nGõ y để đồng ý, n để bỏ."
    )
    assert await quota_book(services, NAM) == {"2026": 120}
    done = await say(services, LEAD, "y")
    assert (
        done.text
        == "✅ Chỉ tiêu BHXH tự nguyện tháng 10/2026 của Phạm Văn Nam (0912000002): — → 15."
    )
    assert await quota_book(services, NAM) == {"2026": 120, "2026-10": 15}
    # `thang 10` alone reads two ways, like `tháng 12`.
    two_ways = await say(services, LEAD, "/chitieu 0912000002 TN thang 10")
    assert two_ways.text.startswith('"thang 10" có thể hiểu hai cách: tháng 10/2026')


async def test_one_thousand_with_a_dot_and_a_jump_over_three_times_asks(
    services: Services,
) -> None:
    asked = await say(services, LEAD, "/chitieu 0912000001 TN 2026 1.000")
    assert asked.text == (
        "Chỉ tiêu BHXH tự nguyện năm 2026 của Nguyễn Thị Lan (0912000001): 120 → 1.000 (chưa"
        " lưu).\n"
        "⚠️ Tăng hơn 3 lần so với chỉ tiêu hiện tại.\nGõ y để đồng ý, n để bỏ."
    )
    assert await quota_book(services, LAN) == {"2026": 120}
    assert (await say(services, LEAD, "y")).text.endswith(": 120 → 1.000.")
    assert await quota_book(services, LAN) == {"2026": 1000}
    # Three times or less is an everyday change: no question.
    plain = await say(services, LEAD, "/chitieu 0912000001 TN 2026 3.000")
    assert plain.text.endswith(": 1.000 → 3.000.")


async def test_an_absurd_quota_is_refused_by_the_programs_bound(services: Services) -> None:
    reply = await say(services, LEAD, "/chitieu 0912000001 TN 2026 100000000")
    assert (
        reply.text
        == "Chỉ tiêu 100.000.000 quá lớn cho BHXH tự nguyện: tối đa 500.000. Hãy kiểm tra lại số."
    )
    english = await say(services, LEAD, "/lang en")
    assert english.text
    reply = await say(services, LEAD, "/quota 0912000001 YT 2026 9.000.000")
    assert reply.text == (
        "A quota of 9,000,000 is too large for Household health insurance: at most 2,000,000."
        " Please check the number."
    )
    assert await quota_book(services, LAN) == {"2026": 120}


async def test_sms_confirms_with_co_and_telegram_offers_buttons(services: Services) -> None:
    asked = await say(services, LEAD, "/chitieu 0912000002 TN nam 2026 120 chia thang", Channel.SMS)
    assert asked.text.endswith("Tra loi CO de dong y, KHONG de bo.")
    assert not asked.buttons
    assert await quota_book(services, NAM) == {"2026": 120}
    # The question is per channel: a "y" typed in the console answers nothing.
    assert (await say(services, LEAD, "y")).text == "Không có điều gì đang chờ bạn xác nhận."
    done = await say(services, LEAD, "CO", Channel.SMS)
    assert done.text.startswith("Chi tieu TN nam 2026 cua Pham Van Nam (0912000002): 120 -> 120.")
    assert (await quota_book(services, NAM))["2026-12"] == 10
    telegram = await say(services, LEAD, "/chitieu 0912000002 TN quý 3 40", Channel.TELEGRAM)
    assert telegram.text.endswith("Bấm Đồng ý để lưu, hoặc Bỏ.")
    assert [[(b.label, b.command) for b in row] for row in telegram.buttons] == [
        [("✅ Đồng ý", "/xacnhan"), ("✖ Bỏ", "/boqua")]
    ]
    assert (await say(services, LEAD, "/xacnhan", Channel.TELEGRAM)).text.startswith(
        "✅ Chỉ tiêu BHXH tự nguyện quý III/2026"
    )


async def test_another_process_finishes_the_question_and_it_expires(
    services: Services, tmp_path: Path, clock: Clock
) -> None:
    await say(services, LEAD, "/chitieu 0912000002 TN tháng trước 30")
    second = await open_repository(database_url(tmp_path))  # as a second process
    try:
        other = Services(repo=second, rules=services.rules, clock=clock)
        done = await say(other, LEAD, "có")
        assert (
            done.text
            == "✅ Chỉ tiêu BHXH tự nguyện tháng 10/2026 của Phạm Văn Nam (0912000002): — → 30."
        )
    finally:
        await second.close()
    await say(services, LEAD, "/chitieu 0912000002 TN năm ngoái 30")
    clock.now += timedelta(minutes=31)
    assert (await say(services, LEAD, "y")).text == "Không có điều gì đang chờ bạn xác nhận."
    assert "2025" not in await quota_book(services, NAM)


async def test_an_officer_cannot_undo_an_entry_a_lead_confirmed(
    services: Services, tmp_path: Path
) -> None:
    logged = await say(services, LAN, "/ghi TN 2")
    assert logged.text.startswith("✅ Đã ghi 2")
    [(entry_id, _)] = entries(tmp_path)
    await say(services, LEAD, f"/duyet {entry_id}")
    refused = await say(services, LAN, "/huy")
    assert refused.text == (
        f"Bản ghi gần nhất (#{entry_id}, BHXH tự nguyện 2 người, ngày 23/11/2026) đã được lãnh"
        " đạo xác nhận nên không tự hủy được. Hãy nhờ lãnh đạo đơn vị nếu cần sửa."
    )
    assert entries(tmp_path) == [(entry_id, "confirmed")]
    actions = [r.action for r in await services.repo.audit_log(None, 10)]
    assert actions == ["entry.confirm"]


async def test_every_undo_is_in_the_audit_log(services: Services) -> None:
    await say(services, LAN, "/ghi TN 3")
    assert (
        await say(services, LAN, "/huy")
    ).text == "↩️ Đã hủy bản ghi 3 người tham gia BHXH tự nguyện ngày 23/11/2026."
    [record] = await services.repo.audit_log(None, 10)
    assert (record.action, record.actor_name, record.before, record.after) == (
        "entry.undo",
        "Nguyễn Thị Lan",
        "reported",
        "voided",
    )
    assert record.subject.endswith("Nguyễn Thị Lan · TN 3 (23/11/2026)")


async def test_a_lead_reopens_a_rejected_entry_after_confirming(
    services: Services, tmp_path: Path
) -> None:
    await say(services, LAN, "/ghi TN 2")
    lan = await services.repo.member_by_phone(LAN)
    assert lan is not None
    [(entry_id, _)] = entries(tmp_path)
    await say(services, LEAD, f"/tuchoi {entry_id} Sai ngày")
    asked = await say(services, LEAD, f"/duyet {entry_id}")
    assert asked.text == (
        f"Bản ghi #{entry_id} (Nguyễn Thị Lan · BHXH tự nguyện 2 người · 23/11/2026) đã bị từ chối."
        " Lý do: Sai ngày. Mở lại và xác nhận bản ghi này?\nGõ y để đồng ý, n để bỏ."
    )
    assert entries(tmp_path) == [(entry_id, "rejected")]
    done = await say(services, LEAD, "y")
    assert done.text.startswith(f"✅ Đã mở lại và xác nhận bản ghi #{entry_id}")
    assert [d.member_id for d in done.direct_messages] == [lan.id]
    assert entries(tmp_path) == [(entry_id, "confirmed")]
    record = (await services.repo.audit_log(None, 10))[0]
    assert (record.action, record.before, record.after) == (
        "entry.reopen",
        "rejected: Sai ngày",
        "confirmed",
    )
    progress = await say(services, LAN, "/tiendo")
    assert "BHXH tự nguyện: 2/" in progress.text


def test_the_piped_console_asks_then_takes_y(tmp_path: Path) -> None:
    staffed(
        tmp_path,
        "unit,name,phone,role\n"
        "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành,Phạm Văn Nam,"
        "0912000002,officer\n"
        "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành,Trần Minh Đức,0913000001,lead\n",
    )
    session = bot(
        tmp_path,
        "console",
        "--phone",
        LEAD,
        stdin="/chitieu 0912000002 TN tháng 12\nn\n/chitieu 0912000002 TN tháng trước 15\ny\n",
    )
    assert session.returncode == 0, session.stderr
    assert '"tháng 12" có thể hiểu hai cách' in session.stdout
    assert "Đã bỏ, không thay đổi gì." in session.stdout
    assert "(chưa lưu)" in session.stdout and "đã qua" in session.stdout
    assert rows(tmp_path, "SELECT value FROM quotas") == [(15,)]


async def test_a_quota_changed_after_the_question_is_asked_again(services: Services) -> None:
    await say(services, LEAD, "/chitieu 0912000001 TN 2026 1.000")
    # Meanwhile it is set to 300 elsewhere: the "120 → 1.000" shown is no longer true.
    await say(services, "0913000001", "/boqua")
    asked = await say(services, LEAD, "/chitieu 0912000001 TN 2026 1.000", Channel.TELEGRAM)
    await say(services, LEAD, "/chitieu 0912000001 TN 2026 300")
    assert await quota_book(services, LAN) == {"2026": 300}
    again = await say(services, LEAD, "/xacnhan", Channel.TELEGRAM)
    assert asked.text.startswith(
        "Chỉ tiêu BHXH tự nguyện năm 2026 của Nguyễn Thị Lan (0912000001): 120 → 1.000"
    )
    assert again.text.startswith(
        "Chỉ tiêu BHXH tự nguyện năm 2026 của Nguyễn Thị Lan (0912000001): 300 → 1.000"
    )
    assert await quota_book(services, LAN) == {"2026": 300}
    done = await say(services, LEAD, "/xacnhan", Channel.TELEGRAM)
    assert done.text.endswith(": 300 → 1.000.")
    assert await quota_book(services, LAN) == {"2026": 1000}
