"""Scheduled messages for one person reach them on the channel they use, Zalo included:
Friday's reminder, Monday's due reminder, and the summary of a unit without a group,
which its lead reads privately. Exactly once: a second sweep sends nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from channels.sms_sender import FunctionSender
from commands.context import Services
from commands.registry import run_text
from scheduling.runner import ScheduleRunner
from scheduling.triggers import DeliveryPolicy, load_schedule
from scheduling.zalo_out import ZaloOut
from storage.store_base import StoreBase
from tests.conftest import NOW, Clock
from tests.support.zalo import running_zalo
from tests.test_due_reminder import SECRET, participant
from tests.test_schedule_runner import log
from tracker.models import Channel

LAN, NAM, LEAD, GROUP = "u-lan", "u-nam", "u-duc", "g-hac-thanh"
FRIDAY_1600 = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)
MONDAY_0730 = datetime(2026, 11, 30, 0, 30, 10, tzinfo=UTC)
MONDAY_0800 = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)
POLICY = DeliveryPolicy(attempts=3, backoff_seconds=0.01, concurrency=4)
COMMUNE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"


def runner(services: Services, zalo_out: ZaloOut | None = None) -> ScheduleRunner:
    # A grace of an hour: only the firing the test is about is planned.
    config = replace(load_schedule(), delivery=POLICY, grace=timedelta(hours=1))
    scheduler = ScheduleRunner(services, config)
    scheduler.zalo = zalo_out
    return scheduler


async def link(services: Services, phone: str, zalo_user: str) -> int:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    assert await services.repo.link_zalo(member.id, zalo_user, phone, NOW)
    return member.id


async def sent_by(services: Services, kind: str) -> dict[int, tuple[str, str]]:
    """Each member's delivery of `kind`: its state and the channel that carried it."""
    rows = await services.repo._all(  # type: ignore[attr-defined]
        "SELECT target_id, state, channel FROM schedule_deliveries WHERE kind = ?", (kind,)
    )
    return {int(row[0]): (str(row[1]), str(row[2])) for row in rows}


async def test_friday_reminder_goes_by_zalo_to_whoever_uses_zalo(
    services: Services, clock: Clock
) -> None:
    lan = await link(services, "0912000001", LAN)
    nam = await link(services, "0912000002", NAM)
    nam_member = await services.repo.member(nam)
    await run_text(services, nam_member, "TD", Channel.SMS, "sms:1")  # Nam last used SMS
    for program, count in (("TN", 10), ("YT", 20)):  # Hoa has met November: no reminder
        await log(services, "0912000003", program, count, date(2026, 11, 26))
    texts: list[tuple[str, str]] = []
    sms = FunctionSender(lambda to, text: texts.append((to, text)))
    clock.now = FRIDAY_1600
    async with running_zalo(services, sms_sender=sms) as zalo:
        await runner(services).run_due()
        await runner(services).run_due()  # the sweep, or a second process: nothing new

        assert zalo.server.texts_to(LAN) == [
            "⏰ Anh/chị Nguyễn Thị Lan, tiến độ tháng 11/2026 đang chậm:\n"
            "BHXH tự nguyện: 0/10 (0,00%) · chậm 9 người so với tiến độ\n"
            "BHYT hộ gia đình: 0/20 (0,00%) · chậm 18 người so với tiến độ\n"
            "Ghi kết quả bằng /ghi TN 1 (hoặc nhắn tin TN 1)."
        ]
        assert zalo.server.texts_to(NAM) == []
    # Nam's reminder followed him to SMS, the channel he wrote from last.
    assert [to for to, _ in texts if to == "0912000002"] == ["0912000002"]
    assert await sent_by(services, "reminder") == {lan: ("sent", "zalo"), nam: ("sent", "sms")}


async def test_a_refusal_on_zalo_falls_back_to_sms_once(services: Services, clock: Clock) -> None:
    lan = await link(services, "0912000001", LAN)
    texts: list[tuple[str, str]] = []
    sms = FunctionSender(lambda to, text: texts.append((to, text)))
    clock.now = FRIDAY_1600
    async with running_zalo(services, sms_sender=sms) as zalo:
        zalo.server.fail_next("sendMessage", 403)  # Lan blocked the bot on Zalo
        await runner(services).run_due()
        await runner(services).run_due()
        assert zalo.server.texts_to(LAN) == []
    assert [to for to, _ in texts].count("0912000001") == 1
    assert (await sent_by(services, "reminder"))[lan] == ("sent", "sms")


async def test_due_reminder_reaches_a_zalo_user_on_zalo_once(
    services: Services, clock: Clock
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    lan = await link(services, "0912000001", LAN)
    lan_member = await repo.member(lan)
    await participant(repo, lan_member, "0123456001", date(2026, 11, 5))  # due 05/12
    clock.now = MONDAY_0730
    async with running_zalo(services) as zalo:
        await runner(services).run_due()
        await runner(services).run_due()
        assert zalo.server.texts_to(LAN) == [
            "🔔 Anh/chị Nguyễn Thị Lan, 1 người tham gia của bạn đến hạn đóng tiếp trong 14 ngày"
            " tới (đến 14/12/2026). Xem danh sách: /denhan; khi họ đóng: /giahan."
        ]
    assert await sent_by(services, "due_reminder") == {lan: ("sent", "zalo")}


async def test_a_unit_without_a_group_sends_its_summary_to_its_lead_privately(
    services: Services, clock: Clock
) -> None:
    repo = services.repo
    commune = await repo.unit_by_path(COMMUNE)
    assert commune is not None
    lead = await link(services, "0913000001", LEAD)  # the lead of BHXH cơ sở Hạc Thành
    await repo.set_language(lead, "en")
    await repo.bind_zalo_group(commune.id, GROUP, by=(lead, NOW))
    clock.now = MONDAY_0800
    async with running_zalo(services) as zalo:
        out = ZaloOut(zalo.channel.client, zalo.channel.media)
        await runner(services, out).run_due()
        await runner(services, out).run_due()
        photos = [c for c in zalo.server.calls_of("sendPhoto") if c.error_code is None]
        by_chat = {photo.params["chat_id"]: photo for photo in photos}
        assert sorted(by_chat) == sorted([GROUP, LEAD]) and len(photos) == 2
        # The group's copy is Vietnamese; the lead's own copy is in English, his language.
        assert by_chat[GROUP].params["caption"].startswith("📣 Tổng hợp tuần 47")
        assert by_chat[LEAD].params["caption"].splitlines()[:2] == [
            "📣 Summary of week 47 (16/11/2026 – 22/11/2026) · BHXH cơ sở Hạc Thành",  # noqa: RUF001
            "New enrolments against plan:",
        ]
        assert by_chat[LEAD].fetched.startswith(b"\x89PNG")
    deliveries = await repo.deliveries("weekly", "2026-W47")
    assert sorted((d.target.kind.value, d.target.id, d.state.value) for d in deliveries) == [
        ("member", lead, "sent"),
        ("unit", commune.id, "sent"),
    ]


async def summary_by_sms(services: Services, clock: Clock) -> tuple[str, str]:
    """Monday's weekly summary, sent as the one SMS to a lead with no group: (to, text)."""
    texts: list[tuple[str, str]] = []
    sms = FunctionSender(lambda to, text: texts.append((to, text)))
    clock.now = MONDAY_0800
    async with running_zalo(services, sms_sender=sms):
        await runner(services).run_due()
        await runner(services).run_due()  # the sweep, or a second process: nothing new
    [sent] = texts
    return sent


async def test_an_sms_only_lead_gets_the_summary_as_one_sms(
    services: Services, clock: Clock
) -> None:
    to, text = await summary_by_sms(services, clock)
    assert to == "0913000001"
    assert text == (  # the lead's own unit: the title leaves its name out
        "Tong hop tuan 47 (16/11-22/11)\n"
        "Phat trien moi so KH:\nTN: 0/6 (0%)\nYT: 0/15 (0%)\n"
        "Tong cong: 0/21 (0%)\nChua co nguoi tham gia nao duoc ghi trong ky nay."
    )
