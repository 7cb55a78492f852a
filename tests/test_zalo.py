"""Zalo end to end: the real client over HTTP to the stand-in Zalo Bot API server, the bot's
real HTTP front door (long polling, or the `/zalo` webhook), real SQLite."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from commands.context import Services
from tests.conftest import NOW, Clock
from tests.support.db import rows
from tests.support.zalo import WEBHOOK_SECRET, running_zalo
from tests.support.zaloapi import ZaloApiServer, ZaloCall

LAN, LEAD = "u-lan", "u-duc"
GROUP = "g-hac-thanh"


async def link(services: Services, phone: str, zalo_user: str) -> None:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    assert await services.repo.link_zalo(member.id, zalo_user, phone, NOW)


async def test_logging_progress_and_boards_in_vietnamese(
    services: Services, tmp_path: Path
) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services) as zalo:
        assert await zalo.say(LAN, "/ghi TN 2") == (
            "✅ Đã ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026.\n"
            "Lũy kế tháng 11/2026: BHXH tự nguyện: 2/10 (20,00%) · chậm 6 người so với tiến độ"
        )
        assert await zalo.say(LAN, "yt1") == (
            "✅ Đã ghi 1 người tham gia BHYT hộ gia đình ngày 23/11/2026.\n"
            "Lũy kế tháng 11/2026: BHYT hộ gia đình: 1/20 (5,00%) · chậm 14 người so với tiến độ\n"
            "Kỳ hạn đóng của người tham gia? (gõ số thứ tự bên dưới, hoặc bỏ qua)\n"
            "1. 3 tháng\n2. 6 tháng\n3. 12 tháng\nGõ số thứ tự để chọn."
        )
        assert await zalo.say(LAN, "/tiendo") == (
            "📊 Tiến độ tháng 11/2026\n"
            "BHXH tự nguyện: 2/10 (20,00%) · chậm 6 người so với tiến độ\n"
            "   cần đạt đến hôm nay: 8 · ước thực hiện cả kỳ: 3\n"
            "BHYT hộ gia đình: 1/20 (5,00%) · chậm 14 người so với tiến độ\n"
            "   cần đạt đến hôm nay: 15 · ước thực hiện cả kỳ: 1"
        )
        assert await zalo.say(LAN, "/bxh") == (
            "🏆 Xếp hạng tháng 11/2026 · Phường Hạc Thành (BHXH tự nguyện + BHYT hộ gia đình)\n"
            "👉 1. Nguyễn Thị Lan — 3/30 (10,00%)\n"
            "🥈 2. Phạm Văn Nam — 0/30 (0,00%)\n"
            "Cả đơn vị: 3/60 (5,00%) · tổng chỉ tiêu cá nhân"
        )
    entries = rows(tmp_path, "SELECT program, count, channel FROM entries ORDER BY id")
    assert entries == [("TN", 2, "zalo"), ("YT", 1, "zalo")]


async def test_the_numbered_ghi_flow_takes_numbers_and_a_repeat_counts_once(
    services: Services, tmp_path: Path
) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services, webhook=True) as zalo:
        assert await zalo.say(LAN, "/ghi") == (
            "Bạn muốn ghi loại hình nào?\n"
            "1. TN · BHXH tự nguyện\n2. YT · BHYT hộ gia đình\n"
            "Gõ số thứ tự để chọn."
        )
        assert await zalo.say(LAN, "2") == (
            "Ghi BHYT hộ gia đình: bao nhiêu người tham gia?\n"
            "1. 1\n2. 2\n3. 3\n4. 5\n5. 10\nGõ số thứ tự để chọn."
        )
        since = zalo.server.mark()
        choice = zalo.server.text_update(LAN, "4")  # the 4th choice: 5 people
        assert await zalo.server.deliver(choice) == 200
        assert await zalo.server.deliver(choice) == 200  # Zalo delivers it again
        await zalo.server.wait_for("sendMessage", since=since)
        assert zalo.server.texts_to(LAN, since) == [
            "✅ Đã ghi 5 người tham gia BHYT hộ gia đình ngày 23/11/2026.\n"
            "Lũy kế tháng 11/2026: BHYT hộ gia đình: 5/20 (25,00%)"
            " · chậm 10 người so với tiến độ"
        ]  # the repeat finds its claim done: nothing stored, nothing sent again
        # Once answered, the list is spent: the same number in a new message means nothing.
        assert await zalo.say(LAN, "4") == (
            "Xin lỗi, tôi chưa hiểu lệnh này. Gõ /trogiup để xem các lệnh."
        )
    assert rows(tmp_path, "SELECT program, count, channel, state FROM entries") == [
        ("YT", 5, "zalo", "reported")
    ]
    [(commands,)] = rows(tmp_path, "SELECT commands FROM zalo_choices")
    assert commands == '["/ghi YT 1", "/ghi YT 2", "/ghi YT 3", "/ghi YT 5", "/ghi YT 10"]'


async def test_a_numbered_list_expires_after_half_an_hour(services: Services, clock: Clock) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services) as zalo:
        await zalo.say(LAN, "/ghi TN")
        clock.now = NOW + timedelta(minutes=31)
        assert await zalo.say(LAN, "2") == (
            "Xin lỗi, tôi chưa hiểu lệnh này. Gõ /trogiup để xem các lệnh."
        )


async def test_a_chart_goes_out_by_its_link_and_the_link_expires(
    services: Services, clock: Clock
) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services) as zalo:
        since = zalo.server.mark()
        assert await zalo.say(LAN, "/bieudo") == (
            "📊 Biểu đồ tháng 11/2026 · Phường Hạc Thành:"
            " người tham gia mới so với kế hoạch phát triển mới"
        )
        progress, trend = await _photos(zalo.server, since)
        for photo in (progress, trend):
            assert photo.params["chat_id"] == LAN
            assert photo.params["photo"].startswith(f"{zalo.url}/media/")
            assert photo.error_code is None
            assert photo.fetched_status == 200  # Zalo fetched it from our /media
            assert photo.fetched.startswith(b"\x89PNG\r\n")
        async with httpx.AsyncClient() as http:
            again = await http.get(progress.params["photo"])
            assert again.status_code == 200
            assert again.headers["content-type"] == "image/png"
            forged = progress.params["photo"][:-3] + "AAA"
            assert (await http.get(forged)).status_code == 404
            clock.now = NOW + timedelta(minutes=11)  # charts live 10 minutes
            assert (await http.get(progress.params["photo"])).status_code == 404


async def _photos(server: ZaloApiServer, since: int) -> tuple[ZaloCall, ZaloCall]:
    """The two chart photos, each answered (so fetched) by the server."""
    first = await server.wait_for("sendPhoto", since=since)
    second = await server.wait_for("sendPhoto", since=server.calls.index(first) + 1)
    return first, second


async def test_an_export_is_a_single_use_link_for_the_lead_only(services: Services) -> None:
    await link(services, "0913000001", LEAD)
    async with running_zalo(services) as zalo:
        since = zalo.server.mark()
        await zalo.exchange(LEAD, "/xuat", chat=GROUP)  # asked in a group: links go private
        await zalo.server.wait_for(
            "sendMessage",
            lambda c: c.params["text"].count("\n") and "csv" in c.params["text"],
            since=since,
        )
        links = zalo.server.texts_to(LEAD, since)
        assert [text.split(":", 1)[0] for text in links] == [
            "Tải bao-cao-tien-do-2026-11.xlsx tại",
            "Tải bao-cao-tien-do-2026-11.csv tại",
        ]
        assert not any("media" in text for text in zalo.server.texts_to(GROUP, since))
        xlsx_url = links[0].split(": ", 1)[1].split("\n")[0]
        assert links[0].endswith("Liên kết chỉ dùng được một lần, đến 11:00.")
        async with httpx.AsyncClient() as http:
            first = await http.get(xlsx_url)
            assert first.status_code == 200
            assert first.content.startswith(b"PK")  # a zip: the .xlsx
            assert (await http.get(xlsx_url)).status_code == 404  # spent


async def test_the_webhook_wants_the_secret(services: Services, tmp_path: Path) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services, webhook=True) as zalo:
        assert zalo.server.webhook_url == f"{zalo.url}/zalo"  # registered at start
        assert zalo.server.webhook_secret == WEBHOOK_SECRET
        update = zalo.server.text_update(LAN, "TN 3")
        assert await zalo.server.deliver(update, secret="") == 403
        assert await zalo.server.deliver(update, secret="wrong-secret") == 403
        assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]
        assert zalo.server.calls_of("sendMessage") == []
        assert await zalo.server.deliver(update) == 200
        assert zalo.server.texts_to(LAN) == [
            "✅ Đã ghi 3 người tham gia BHXH tự nguyện ngày 23/11/2026.\n"
            "Lũy kế tháng 11/2026: BHXH tự nguyện: 3/10 (30,00%) · chậm 5 người so với tiến độ"
        ]
        async with httpx.AsyncClient() as http:
            junk = await http.post(
                f"{zalo.url}/zalo",
                content=b"{not json",
                headers={"X-Bot-Api-Secret-Token": WEBHOOK_SECRET},
            )
            assert junk.status_code == 400
    assert rows(tmp_path, "SELECT count, channel FROM entries") == [(3, "zalo")]


async def test_polling_survives_a_429_with_backoff(services: Services) -> None:
    await link(services, "0912000001", LAN)
    async with running_zalo(services) as zalo:
        zalo.server.fail_next("sendMessage", 429, count=2)
        since = zalo.server.mark()
        zalo.server.push_text(LAN, "/tiendo tuần")
        answered = await zalo.server.wait_for(
            "sendMessage", lambda c: c.error_code is None, since=since
        )
        assert answered.params["text"].startswith("📊 Tiến độ tuần 48")
        assert [c.error_code for c in zalo.server.calls_of("sendMessage", since)] == [
            429,
            429,
            None,
        ]


async def test_a_lead_binds_a_zalo_group_and_celebrations_go_there(
    services: Services, tmp_path: Path
) -> None:
    await link(services, "0913000001", LEAD)
    await link(services, "0912000001", LAN)
    async with running_zalo(services) as zalo:
        assert await zalo.say(LEAD, "/nhom Phường Hạc Thành", chat=GROUP) == (
            "✅ Nhóm này đã được gắn với Phường Hạc Thành: "
            "tổng hợp và lời chúc mừng sẽ gửi vào đây."
        )
        since = zalo.server.mark()
        await zalo.say(LAN, "TN 10")  # 10/10: the month's quota met
        post = await zalo.server.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == GROUP, since=since
        )
        assert post.params["text"] == (
            "🎉 Chúc mừng Nguyễn Thị Lan đã hoàn thành 100% chỉ tiêu BHXH tự nguyện tháng 11/2026!"
        )
        assert await zalo.say(LAN, "/nhom") == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    assert rows(tmp_path, "SELECT action, after FROM audit_log WHERE action = 'group.bind'") == [
        ("group.bind", f"zalo:{GROUP}")
    ]
