"""Notices follow a member to the chat channel they used last; team summaries go to a
Zalo group, exactly once; /duyet's buttons become a numbered list on Zalo."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from channels.sms_sender import FunctionSender
from commands.context import Services
from commands.registry import run_text
from scheduling.runner import ScheduleRunner
from scheduling.triggers import DeliveryPolicy, load_schedule
from scheduling.zalo_out import ZaloOut
from tests.conftest import NOW, Clock
from tests.support.zalo import running_zalo
from tracker.models import Channel

LAN, LEAD, GROUP = "u-lan", "u-duc", "g-hac-thanh"
MONDAY_0800 = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)


async def link(services: Services, phone: str, zalo_user: str) -> None:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    assert await services.repo.link_zalo(member.id, zalo_user, phone, NOW)


async def test_a_notice_goes_to_the_channel_the_member_used_last(services: Services) -> None:
    await link(services, "0912000001", LAN)
    await link(services, "0913000001", LEAD)
    sms: list[tuple[str, str]] = []
    sender = FunctionSender(lambda to, text: sms.append((to, text)))
    async with running_zalo(services, sms_sender=sender) as zalo:
        await zalo.say(LAN, "TN 1")
        await zalo.say(LAN, "YT 2")
        # Lan's last word came by Zalo: the lead's verdict reaches her there.
        since = zalo.server.mark()
        await zalo.say(LEAD, "/tuchoi 1 sai ngày")
        notice = await zalo.server.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == LAN, since=since
        )
        assert notice.params["text"] == (
            "❌ Bản ghi #1 (BHXH tự nguyện 1 người, ngày 23/11/2026) của bạn đã bị Trần Minh Đức"
            " từ chối "
            "và không được tính. Lý do: sai ngày"
        )
        assert sms == []
        # Then she texts by SMS: the next notice goes by SMS.
        lan = await services.repo.member_by_phone("0912000001")
        assert lan is not None
        await run_text(services, lan, "TD", Channel.SMS, "sms:1")
        since = zalo.server.mark()
        await zalo.say(LEAD, "/tuchoi 2")
        for _ in range(200):  # sent right after the lead's answer: wait for it
            if sms:
                break
            await asyncio.sleep(0.05)
        assert zalo.server.texts_to(LAN, since) == []
        assert [to for to, _ in sms] == ["0912000001"]
        assert sms[0][1].startswith("Ban ghi #2 (YT 2 nguoi, ngay 23/11/2026) cua ban da bi")


async def test_approving_on_zalo_is_a_numbered_list(services: Services) -> None:
    await link(services, "0912000001", LAN)
    await link(services, "0913000001", LEAD)
    async with running_zalo(services) as zalo:
        await zalo.say(LAN, "TN 2")
        listing = await zalo.say(LEAD, "/duyet")
        assert listing.endswith(
            "1. ✅ Duyệt #1\n2. ❌ Từ chối #1\n3. ✅ Duyệt cả 1 bản ghi trên\nGõ số thứ tự để chọn."
        )
        assert await zalo.say(LEAD, "1") == (
            "✅ Đã xác nhận bản ghi #1: Nguyễn Thị Lan · BHXH tự nguyện 2 người · 23/11/2026."
        )
    [(state,)] = await services.repo._all("SELECT state FROM entries")  # type: ignore[attr-defined]
    assert state == "confirmed"


async def test_the_weekly_summary_goes_to_the_zalo_group_once(
    services: Services, clock: Clock
) -> None:
    commune = await services.repo.unit_by_path(
        "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"
    )
    lead = await services.repo.member_by_phone("0913000001")
    assert commune is not None and lead is not None
    await services.repo.bind_zalo_group(commune.id, GROUP, by=(lead.id, NOW))
    clock.now = MONDAY_0800
    config = replace(
        load_schedule(), delivery=DeliveryPolicy(attempts=3, backoff_seconds=0.01, concurrency=4)
    )
    async with running_zalo(services) as zalo:
        runner = ScheduleRunner(services, config)
        runner.zalo = ZaloOut(zalo.channel.client, zalo.channel.media)
        zalo.server.fail_next("sendPhoto", 502, count=1)  # retried by the client
        await runner.run_due()
        await runner.run_due()  # a second sweep (or a restart) sends nothing again
        photos = [c for c in zalo.server.calls_of("sendPhoto") if c.error_code is None]
        assert len(photos) == 1
        [photo] = photos
        assert photo.params["chat_id"] == GROUP
        assert photo.params["caption"] == (
            "📣 Tổng hợp tuần 47 (16/11/2026 \u2013 22/11/2026) · Phường Hạc Thành\n"
            "Phát triển mới so với kế hoạch:\n· BHXH tự nguyện: 0/4 (0,00%)\n"
            "· BHYT hộ gia đình: 0/10 (0,00%)\n"
            "· Tổng cộng: 0/14 (0,00%)\n"
            "Chưa có người tham gia nào được ghi trong kỳ này."
        )
        assert photo.fetched_status == 200 and photo.fetched.startswith(b"\x89PNG")
        deliveries = await services.repo.deliveries("weekly", "2026-W47")
        assert [(d.target.id, d.state.value) for d in deliveries] == [(commune.id, "sent")]
