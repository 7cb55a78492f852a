"""Commands through the shared text dispatcher on a real SQLite file (no channel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from commands.context import Services
from commands.registry import run_text
from tests.conftest import Clock
from tests.support.members import member, reply_text
from tracker.models import Channel

LAN = "0912000001"  # Nguyễn Thị Lan, an officer of the commune


async def month_total(services: Services, program: str = "TN") -> int:
    achieved = await services.repo.achieved(
        (await member(services, LAN)).id, date(2026, 11, 1), date(2026, 11, 30)
    )
    return achieved.get(program, 0)


async def test_log_replies_with_running_month_total(services: Services) -> None:
    # Year 120 -> November target = divide_half_up(120 * 30 / 365) = 10.
    text = await reply_text(services, LAN, "/ghi TN 2", key="m1")
    assert "Đã ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026" in text
    assert "Lũy kế tháng 11/2026: BHXH tự nguyện: 2/10 (20,00%)" in text
    assert await month_total(services) == 2


async def test_same_message_twice_counts_once(services: Services) -> None:
    first = await reply_text(services, LAN, "TN 3", key="sms:abc")
    second = await reply_text(services, LAN, "TN 3", key="sms:abc")
    assert first == second
    assert await month_total(services) == 3


async def test_a_repeat_delivered_next_month_answers_with_the_first_entrys_month(
    services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 30, 16, 59, tzinfo=UTC)  # 23:59 on 30/11 in Vietnam
    first = await reply_text(services, LAN, "TN 3", key="sms:late")
    clock.now += timedelta(minutes=2)  # the gateway retries after midnight: 01/12
    again = await reply_text(services, LAN, "TN 3", key="sms:late")
    assert again == first
    assert "ngày 30/11/2026" in first and "Lũy kế tháng 11/2026: BHXH tự nguyện: 3/10" in first
    assert await month_total(services) == 3


async def test_english_alias_and_shorthand_forms_all_log(services: Services) -> None:
    for number, text in enumerate(["/log tn 1", "tn1", "Tn   1", "/ghi@bhxh_bot TN 1"]):
        assert "BHXH tự nguyện" in await reply_text(services, LAN, text, key=f"k{number}")
    assert await month_total(services) == 4


async def test_bad_input_is_answered_politely_and_changes_nothing(services: Services) -> None:
    replies = [
        await reply_text(services, LAN, "/ghi XX 2", key="b1"),
        await reply_text(services, LAN, "/ghi TN 0", key="b2"),
        await reply_text(services, LAN, "/ghi TN 51", key="b3"),
        await reply_text(services, LAN, "/ghi TN 2 30/11", key="b4"),
        await reply_text(services, LAN, "/ghi TN 2 01/11", key="b5"),
        await reply_text(services, LAN, "/ghi TN 2 31/02", key="b6"),
        await reply_text(services, LAN, "xin chao", key="b7"),
    ]
    assert replies == [
        "Không có loại hình XX. Các loại hình: TN, YT.",
        'Số người "0" không hợp lệ: hãy nhập từ 1 đến 50.',
        'Số người "51" không hợp lệ: hãy nhập từ 1 đến 50.',
        "Không thể ghi cho ngày 30/11/2026 vì chưa đến.",
        "Ngày 01/11/2026 đã quá 7 ngày, không thể ghi bổ sung. Vui lòng báo lãnh đạo đơn vị.",
        'Ngày "31/02" không hợp lệ: hãy viết dd/mm, ví dụ 20/11.',
        "Xin lỗi, tôi chưa hiểu lệnh này. Gõ /trogiup để xem các lệnh.",
    ]
    assert await month_total(services) == 0


async def test_backdating_within_seven_days_lands_on_that_day(services: Services) -> None:
    await reply_text(services, LAN, "/ghi YT 4 16/11", key="d1")
    achieved = await services.repo.achieved(
        (await member(services, LAN)).id, date(2026, 11, 16), date(2026, 11, 16)
    )
    assert achieved == {"YT": 4}


async def test_undo_voids_only_todays_last_entry_once(services: Services, clock: Clock) -> None:
    await reply_text(services, LAN, "TN 2", key="u1")
    await reply_text(services, LAN, "TN 5", key="u2")
    assert "Đã hủy bản ghi 5" in await reply_text(services, LAN, "/huy", key="u3")
    # Redelivered: no second undo.
    assert "Đã hủy bản ghi 5" in await reply_text(services, LAN, "/huy", key="u3")
    assert await month_total(services) == 2
    clock.now += timedelta(days=1)
    assert (
        await reply_text(services, LAN, "/undo", key="u4")
        == "Không có bản ghi nào của hôm nay để hủy."
    )
    assert await month_total(services) == 2


async def test_progress_shows_pace_and_projection(services: Services) -> None:
    await reply_text(services, LAN, "TN 10", key="p1")
    text = await reply_text(services, LAN, "/tiendo")
    # 23 of 30 days elapsed: expected divide_half_up(10 * 23 / 30) = 8; ahead by 2;
    # projection divide_half_up(10 * 30 / 23) = 13.
    assert "BHXH tự nguyện: 10/10 (100,00%) · đã hoàn thành 🎉" in text
    assert "BHYT hộ gia đình: 0/20 (0,00%) · chậm 15 người so với tiến độ" in text
    assert "cần đạt đến hôm nay: 8 · ước thực hiện cả kỳ: 13" in text


async def test_last_months_numbers_stay_visible_after_the_reset(
    services: Services, clock: Clock
) -> None:
    await reply_text(services, LAN, "TN 7", key="r1")
    clock.now += timedelta(days=8)  # 1 December
    assert "BHXH tự nguyện: 0/" in await reply_text(services, LAN, "/tiendo")
    last_month = await reply_text(services, LAN, "/tiendo tháng trước")
    assert "Tiến độ tháng 11/2026" in last_month
    assert "BHXH tự nguyện: 7/10 (70,00%)" in last_month


async def test_language_switch_changes_replies_and_numbers(services: Services) -> None:
    assert await reply_text(services, LAN, "/lang en") == "Replies are now in English."
    text = await reply_text(services, LAN, "/log TN 1", key="e1")
    assert "Logged 1 Voluntary social insurance participant on 23/11/2026." in text
    assert (
        await reply_text(services, LAN, "/ngonngu xx") == "Choose a language: /lang vi or /lang en"
    )


async def test_sms_channel_replies_in_plain_ascii(services: Services) -> None:
    found = await member(services, LAN)
    reply = await run_text(services, found, "TD", Channel.SMS, None)
    assert reply.text.isascii()
    assert "Tien do thang 11:" in reply.text


async def test_a_term_is_set_only_on_ones_own_entry_of_today(
    services: Services, clock: Clock
) -> None:
    await reply_text(services, LAN, "TN 1", key="t1")
    lan = await member(services, LAN)
    someone_else = await reply_text(services, "0912000002", "/kyhan 1 6")
    assert someone_else == "Không tìm thấy bản ghi #1 của bạn trong hôm nay."
    not_a_term = await reply_text(services, LAN, "/kyhan 1 7")
    assert "7" in not_a_term and "12" in not_a_term  # the allowed terms are listed
    assert (await reply_text(services, LAN, "/kyhan 1 6")).startswith(
        "✅ Đã ghi phương thức đóng 6 tháng"
    )
    clock.now += timedelta(days=1)
    assert (
        await reply_text(services, LAN, "/kyhan 1 12")
        == "Không tìm thấy bản ghi #1 của bạn trong hôm nay."
    )
    [fact] = await services.repo.member_entries(lan.id, date(2026, 11, 23), date(2026, 11, 23))
    assert fact.term_months == 6
