"""`/tonghop` (a lead posts the summary now) and `/bieudo` (charts on demand), through the
shared dispatcher on a real SQLite file; the post to the group over the real PTB stack."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from channels.telegram import TelegramApp, build_application
from commands.context import Services
from leaderboards.charts import png_size
from scheduling.outbox import TelegramOut
from scheduling.runner import ScheduleRunner, activate, deactivate
from scheduling.triggers import DeliveryPolicy, load_schedule
from settings import Settings
from tests.conftest import COMMUNE, OFFICE
from tests.support.botapi import BotApiServer
from tests.support.members import say
from tracker.models import Channel, NewEntry

LEAD, OFFICER = "0913000001", "0912000001"


async def bind(services: Services, path: str, chat_id: int) -> None:
    unit = await services.repo.unit_by_path(path)
    assert unit is not None
    await services.repo.bind_group(unit.id, chat_id)


async def some_entries(services: Services) -> None:
    for phone, count, day in [("0912000001", 4, 20), ("0912000002", 1, 21), ("0912000003", 2, 23)]:
        member = await services.repo.member_by_phone(phone)
        assert member is not None
        at = datetime(2026, 11, day, 2, 0, tzinfo=UTC)
        await services.repo.add_entry(
            NewEntry(member.id, member.unit_id, "TN", date(2026, 11, day), count,
                     Channel.CONSOLE, at)
        )  # fmt: skip


@contextlib.asynccontextmanager
async def running_scheduler(
    services: Services, server: BotApiServer
) -> AsyncIterator[ScheduleRunner]:
    base = server.base_url.removesuffix("/bot")
    app: TelegramApp = build_application(
        services, Settings(telegram_bot_token=server.token, telegram_api_base_url=base)
    )
    async with app:
        config = replace(load_schedule(), delivery=DeliveryPolicy(2, 0.01, 4))
        runner = ScheduleRunner(services, config, TelegramOut(app.bot))
        activate(runner)
        try:
            yield runner
        finally:
            deactivate(runner)


async def test_only_leads_post_summaries(services: Services) -> None:
    reply = await say(services, OFFICER, "/tonghop", Channel.TELEGRAM)
    assert reply.text == "Xin lỗi, vai trò của bạn không được dùng lệnh này."


async def test_without_a_group_the_lead_reads_the_summary_and_is_told(
    services: Services,
) -> None:
    await bind(services, COMMUNE, -1001)  # a group below is not the lead's unit's group
    await some_entries(services)
    reply = await say(services, LEAD, "/summary", Channel.TELEGRAM)
    lines = reply.text.splitlines()
    assert lines[:3] == [
        "📣 Tổng hợp tháng 11/2026 (đến ngày 23/11/2026) · BHXH cơ sở Hạc Thành",
        "Phát triển mới so với kế hoạch:",
        "· BHXH tự nguyện: 7/30 (23,33%)",
    ]
    assert lines[-1] == (
        "Đơn vị BHXH cơ sở Hạc Thành chưa gắn nhóm Telegram hay Zalo nên bản tổng hợp chưa gửi"
        " cho ai; tổng hợp định kỳ được gửi riêng cho lãnh đạo đơn vị."
        " Vào nhóm của đơn vị và gõ /nhom để gắn."
    )
    assert reply.group_posts == []


async def test_without_a_scheduler_the_console_shows_the_group_post(services: Services) -> None:
    await bind(services, OFFICE, -1003)
    await some_entries(services)
    reply = await say(services, LEAD, "/tonghop", Channel.TELEGRAM)
    office = await services.repo.unit_by_path(OFFICE)
    assert office is not None
    [post] = reply.group_posts
    assert post.unit_id == office.id
    assert post.text.splitlines()[:4] == [
        "📣 Tổng hợp tháng 11/2026 (đến ngày 23/11/2026) · BHXH cơ sở Hạc Thành",
        "Phát triển mới so với kế hoạch:",
        "· BHXH tự nguyện: 7/30 (23,33%)",
        "· BHYT hộ gia đình: 0/60 (0,00%)",
    ]
    # The lead reads in the private chat (or the console) what the group gets.
    assert reply.text == (
        post.text + "\n\n✅ Đã đăng tổng hợp tháng 11/2026 vào nhóm của BHXH cơ sở Hạc Thành."
    )


async def test_a_lead_posts_the_summary_with_its_chart_once_per_command(
    services: Services,
) -> None:
    await bind(services, OFFICE, -1003)
    await some_entries(services)
    async with BotApiServer() as server, running_scheduler(services, server):
        first = await say(services, LEAD, "/tonghop tháng trước", Channel.TELEGRAM, key="tg:1:77")
        # Redelivered: the same message key again.
        again = await say(services, LEAD, "/tonghop tháng trước", Channel.TELEGRAM, key="tg:1:77")
        assert first.text == again.text
        assert first.text.endswith(
            "\n\n✅ Đã đăng tổng hợp tháng 10/2026 vào nhóm của BHXH cơ sở Hạc Thành."
        )
        [photo] = server.calls_of("sendPhoto")
        # Typed in the group itself, only the post appears: no second copy of it.
        in_group = await say(
            services, LEAD, "/tonghop tháng trước", Channel.TELEGRAM, key="tg:1:79", group=-1003
        )
        assert in_group.text == (
            "✅ Đã đăng tổng hợp tháng 10/2026 vào nhóm của BHXH cơ sở Hạc Thành."
        )
    assert photo.params["chat_id"] == -1003
    assert photo.params["caption"].startswith("📣 Tổng hợp tháng 10/2026 · BHXH cơ sở Hạc Thành")
    assert first.text.startswith(photo.params["caption"])
    assert png_size(photo.files["photo"][1]) == (1080, 900)
    assert first.group_posts == []  # the scheduler posted it: nothing left for the channel


async def test_a_refused_post_is_reported_to_the_lead(services: Services) -> None:
    await bind(services, OFFICE, -1003)
    async with BotApiServer() as server, running_scheduler(services, server):
        server.fail_next("sendPhoto", 403, description="Forbidden: bot was kicked")
        reply = await say(services, LEAD, "/tonghop", Channel.TELEGRAM, key="tg:1:78")
    assert reply.text.splitlines()[-1].startswith(
        "Chưa đăng được tổng hợp vào nhóm của BHXH cơ sở Hạc Thành"
    )


async def test_chart_sends_progress_and_trend_images(services: Services) -> None:
    await some_entries(services)
    reply = await say(services, OFFICER, "/bieudo", Channel.TELEGRAM)
    assert reply.text == (
        "📊 Biểu đồ tháng 11/2026 · Phường Hạc Thành:"
        " người tham gia mới so với kế hoạch phát triển mới"
    )
    names = [attachment.filename for attachment in reply.attachments]
    assert names == ["tien-do-2026-11.png", "luy-ke-2026-11.png"]
    assert all(attachment.is_image for attachment in reply.attachments)
    sizes = [png_size(attachment.content) for attachment in reply.attachments]
    assert sizes == [(1080, 200 + 64 + 2 * 64), (1080, 900)]


async def test_a_lead_sees_the_units_below_and_english_works(services: Services) -> None:
    await some_entries(services)
    lead = await services.repo.member_by_phone(LEAD)
    assert lead is not None
    await services.repo.set_language(lead.id, "en")
    reply = await say(services, LEAD, "/chart week", Channel.TELEGRAM)
    assert reply.text == (
        "📊 Chart of week 48 (23/11/2026 – 29/11/2026) · BHXH cơ sở Hạc Thành:"  # noqa: RUF001
        " new participants against the plan for new enrolments"
    )
    assert len(reply.attachments) == 2


@pytest.mark.parametrize("words", ["/bieudo 2031", "/chart 2026-Q4 extra"])
async def test_chart_of_a_period_nobody_plans_or_a_bad_period(
    services: Services, words: str
) -> None:
    reply = await say(services, OFFICER, words, Channel.TELEGRAM)
    assert reply.attachments == []
    assert reply.text.startswith(("Chưa có ai có kế hoạch", "Không hiểu kỳ"))
