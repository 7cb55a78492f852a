"""Scheduled summaries and reminders, exactly once: real SQLite files, the real
python-telegram-bot stack (with its AIORateLimiter) over HTTP to the fake Bot API server,
and a clock the test moves. A "restart" is a new repository and runner on the same file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from channels.sms_sender import FunctionSender, SmsNotices
from channels.telegram import TelegramApp, TelegramNotices, build_application
from commands.context import Services
from leaderboards.charts import png_size
from scheduling.outbox import TelegramOut
from scheduling.runner import ScheduleRunner
from scheduling.triggers import DeliveryPolicy, load_schedule
from settings import Settings
from storage.backends import open_repository
from storage.schedule_repository import DeliveryState, Occurrence, Target
from tests.conftest import COMMUNE, OFFICE, POST_OFFICE, Clock
from tests.support.botapi import ApiCall, BotApiServer
from tests.support.db import database_url
from tracker.models import Channel, NewEntry, TargetKind
from tracker.rules import load_rules

# Monday 23 November 2026, 08:00:30 in Vietnam: the weekly summary of 2026-W47 is due.
MONDAY_0800 = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)
GROUPS = {COMMUNE: -1001, POST_OFFICE: -1002, OFFICE: -1003}
POLICY = DeliveryPolicy(attempts=3, backoff_seconds=0.01, concurrency=4)


@pytest.fixture
async def app(server: BotApiServer, services: Services) -> AsyncIterator[TelegramApp]:
    base = server.base_url.removesuffix("/bot")
    settings = Settings(telegram_bot_token=server.token, telegram_api_base_url=base)
    application = build_application(services, settings)
    async with application:  # initialised, not polling: the scheduler only sends
        yield application


@pytest.fixture
async def bound(services: Services) -> dict[str, int]:
    """Each unit of the small organisation bound to its group; some entries in W47."""
    repo = services.repo
    for path, chat_id in GROUPS.items():
        unit = await repo.unit_by_path(path)
        assert unit is not None
        await repo.bind_group(unit.id, chat_id)
    for phone, program, count, day in [
        ("0912000001", "TN", 3, date(2026, 11, 17)),
        ("0912000002", "TN", 1, date(2026, 11, 18)),
        ("0912000003", "YT", 4, date(2026, 11, 20)),
    ]:
        await log(services, phone, program, count, day)
    return GROUPS


async def log(services: Services, phone: str, program: str, count: int, day: date) -> None:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    at = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)
    await services.repo.add_entry(
        NewEntry(member.id, member.unit_id, program, day, count, Channel.CONSOLE, at)
    )


def runner(
    services: Services, app: TelegramApp, sms: FunctionSender | None = None
) -> ScheduleRunner:
    """The runner of a process with Telegram on (and SMS, given `sms`): reminders reach
    people through the notifier's channels, as in `python bot.py`."""
    config = replace(load_schedule(), delivery=POLICY)
    services.notifier.register(Channel.TELEGRAM, TelegramNotices(app.bot))
    if sms is not None:
        services.notifier.register(Channel.SMS, SmsNotices(sms))  # type: ignore[arg-type]
    return ScheduleRunner(services, config, TelegramOut(app.bot))


async def restarted(tmp_path: Path, clock: Clock) -> Services:
    """A fresh process on the same database, as after `python bot.py` restarts."""
    repo = await open_repository(database_url(tmp_path))
    return Services(repo=repo, rules=load_rules(), clock=clock)


def photos(server: BotApiServer) -> list[ApiCall]:
    return [call for call in server.calls_of("sendPhoto") if call.error_code is None]


def photo_chats(server: BotApiServer) -> list[int]:
    return sorted(call.params["chat_id"] for call in photos(server))


async def test_weekly_summary_goes_to_every_bound_group_once(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock,
) -> None:  # fmt: skip
    clock.now = MONDAY_0800
    scheduler = runner(services, app)
    await scheduler.run_due()
    await scheduler.run_due()  # the next trigger (or the sweep) finds nothing new

    assert photo_chats(server) == sorted(GROUPS.values())
    commune = next(call for call in photos(server) if call.params["chat_id"] == -1001)
    caption = commune.params["caption"].splitlines()
    assert caption[0] == "📣 Tổng hợp tuần 47 (16/11/2026 – 22/11/2026) · Phường Hạc Thành"  # noqa: RUF001
    assert caption[1:3] == ["Phát triển mới so với kế hoạch:", "· BHXH tự nguyện: 4/4 (100,00%)"]
    _, png = commune.files["photo"]
    assert png_size(png) == (1080, 900)


async def test_a_missed_run_is_sent_once_after_restart_and_never_twice(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock, tmp_path: Path,
) -> None:  # fmt: skip
    # Down all Monday; back on Tuesday 09:00 (within the three days of grace).
    clock.now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    first = await restarted(tmp_path, clock)
    await runner(first, app).recover()
    await runner(first, app).run_due()
    assert photo_chats(server) == sorted(GROUPS.values())
    await first.repo.close()

    for _ in range(2):  # two more restarts in a row
        again = await restarted(tmp_path, clock)
        scheduler = runner(again, app)
        assert await scheduler.recover() == 0
        await scheduler.run_due()
        await again.repo.close()
    assert len(photos(server)) == len(GROUPS)


async def test_a_run_missed_beyond_the_grace_is_let_go(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock,
) -> None:  # fmt: skip
    clock.now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday: Monday is 3 days past
    await runner(services, app).run_due()
    assert server.calls_of("sendPhoto") == []
    assert not await services.repo.occurrence_recorded("weekly", "2026-W47")


async def test_a_failing_group_is_retried_and_the_others_are_sent(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock,
) -> None:  # fmt: skip
    clock.now = MONDAY_0800
    server.fail_next("sendPhoto", 502, count=2)  # Bad Gateway twice: a NetworkError
    await runner(services, app).run_due()

    assert [call.error_code for call in server.calls_of("sendPhoto")].count(502) == 2
    assert photo_chats(server) == sorted(GROUPS.values())
    states = {d.state for d in await services.repo.deliveries("weekly", "2026-W47")}
    assert states == {DeliveryState.SENT}


async def test_flood_wait_is_waited_out_and_nothing_is_doubled(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock,
) -> None:  # fmt: skip
    clock.now = MONDAY_0800
    server.fail_next("sendPhoto", 429, retry_after=1)  # AIORateLimiter sleeps it off
    await runner(services, app).run_due()
    assert [call.error_code for call in server.calls_of("sendPhoto")].count(429) == 1
    assert photo_chats(server) == sorted(GROUPS.values())


async def test_a_group_that_blocked_the_bot_fails_alone_and_is_not_retried(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock,
) -> None:  # fmt: skip
    clock.now = MONDAY_0800
    server.fail_next("sendPhoto", 403)
    scheduler = runner(services, app)
    await scheduler.run_due()
    await scheduler.run_due()

    assert len(server.calls_of("sendPhoto")) == len(GROUPS)  # the refused one is not retried
    assert len(photos(server)) == len(GROUPS) - 1
    states = sorted(d.state for d in await services.repo.deliveries("weekly", "2026-W47"))
    assert states == [DeliveryState.FAILED, DeliveryState.SENT, DeliveryState.SENT]
    assert await services.repo.open_occurrences() == []


async def test_a_message_cut_off_mid_send_is_never_sent_again(
    server: BotApiServer, app: TelegramApp, services: Services, bound: dict[str, int],
    clock: Clock, tmp_path: Path,
) -> None:  # fmt: skip
    clock.now = MONDAY_0800
    repo = services.repo
    commune = await repo.unit_by_path(COMMUNE)
    assert commune is not None
    units = [Target(TargetKind.UNIT, unit.id) for unit in await repo.bound_units()]
    await repo.plan_occurrence(Occurrence("weekly", "2026-W47", MONDAY_0800), units, clock.now)
    [claimed] = [
        d for d in await repo.deliveries("weekly", "2026-W47") if d.target.id == commune.id
    ]
    assert await repo.claim_delivery(claimed, clock.now) == 1
    # ...and the process dies before Telegram answers. Next start:
    again = await restarted(tmp_path, clock)
    scheduler = runner(again, app)
    assert await scheduler.recover() == 1
    await scheduler.run_due()
    await again.repo.close()

    assert photo_chats(server) == [-1003, -1002]
    by_unit = {d.target.id: d.state for d in await repo.deliveries("weekly", "2026-W47")}
    assert by_unit[commune.id] is DeliveryState.UNKNOWN


async def test_friday_reminder_by_telegram_when_linked_else_by_sms(
    server: BotApiServer, app: TelegramApp, services: Services, clock: Clock
) -> None:
    repo = services.repo
    lan, nam = await repo.member_by_phone("0912000001"), await repo.member_by_phone("0912000002")
    assert lan is not None and nam is not None
    await repo.link_telegram(lan.id, 5001)
    for program, count in (("TN", 10), ("YT", 20)):  # Hoa has met November: no reminder
        await log(services, "0912000003", program, count, date(2026, 11, 26))
    texts: list[tuple[str, str]] = []
    sms = FunctionSender(lambda to, text: texts.append((to, text)))
    clock.now = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)  # Friday 16:00:10

    await runner(services, app, sms=sms).run_due()
    await runner(services, app, sms=sms).run_due()

    [message] = server.calls_of("sendMessage")
    assert message.params["chat_id"] == 5001
    assert message.params["text"].splitlines() == [
        "⏰ Anh/chị Nguyễn Thị Lan, tiến độ tháng 11/2026 đang chậm:",
        "BHXH tự nguyện: 0/10 (0,00%) · chậm 9 người so với tiến độ",
        "BHYT hộ gia đình: 0/20 (0,00%) · chậm 18 người so với tiến độ",
        "Ghi kết quả bằng /ghi TN 1 (hoặc nhắn tin TN 1).",
    ]
    assert texts == [
        (
            "0912000002",
            "Nhac tien do thang 11: TN 0/10, cham 9; YT 0/20, cham 18. Nhan TN 1 de ghi ket qua.",
        )
    ]
    assert server.calls_of("sendPhoto") == []  # Monday's summary is past the grace


async def test_without_sms_only_members_linked_on_telegram_are_reminded(
    server: BotApiServer, app: TelegramApp, services: Services, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)
    await runner(services, app).run_due()
    assert server.calls_of("sendMessage") == []
    assert await services.repo.occurrence_recorded("reminder", "2026-11-27")
    assert await services.repo.deliveries("reminder", "2026-11-27") == []


async def test_no_reminder_on_a_day_off(
    server: BotApiServer, app: TelegramApp, services: Services, clock: Clock
) -> None:
    lan = await services.repo.member_by_phone("0912000001")
    assert lan is not None
    await services.repo.link_telegram(lan.id, 5001)
    day_off = replace(services.rules, holidays=frozenset({date(2026, 11, 27)}))
    clock.now = datetime(2026, 11, 27, 9, 0, 10, tzinfo=UTC)
    await runner(replace(services, rules=day_off), app).run_due()
    assert server.calls_of("sendMessage") == []
    assert await services.repo.occurrence_recorded("reminder", "2026-11-27")
