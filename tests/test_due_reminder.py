"""Monday's due reminder, exactly once: real SQLite files, the python-telegram-bot stack
over HTTP to the local Bot API server, SMS through a sender function, a clock moved by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from channels.sms_sender import FunctionSender, SmsNotices
from channels.telegram import TelegramApp, TelegramNotices
from commands.context import Services
from scheduling.outbox import TelegramOut
from scheduling.runner import ScheduleRunner
from scheduling.triggers import load_schedule
from storage.schedule_repository import DeliveryState
from storage.sqlite import SQLiteRepository
from storage.store_base import StoreBase
from tests.conftest import Clock
from tests.support.botapi import BotApiServer
from tests.test_schedule_runner import POLICY, app, restarted
from tracker.models import Channel, Member, NewEntry
from tracker.participants import HashedParticipant, participant_hash

__all__ = ["app"]  # the Telegram application fixture, shared with the summary tests

SECRET = "due-reminder-secret"
# Monday 30 November 2026, 07:30:10 in Vietnam: the due reminder fires.
MONDAY_0730 = datetime(2026, 11, 30, 0, 30, 10, tzinfo=UTC)


def runner(services: Services, app: TelegramApp, sms: FunctionSender) -> ScheduleRunner:
    # A grace of an hour: Friday's pace reminder is left out of these tests.
    config = replace(load_schedule(), delivery=POLICY, grace=timedelta(hours=1))
    services.notifier.register(Channel.TELEGRAM, TelegramNotices(app.bot))
    services.notifier.register(Channel.SMS, SmsNotices(sms))  # type: ignore[arg-type]
    return ScheduleRunner(services, config, TelegramOut(app.bot))


async def participant(repo: SQLiteRepository, member: Member, code: str, day: date) -> None:
    created = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    entry = NewEntry(member.id, member.unit_id, "TN", day, 1, Channel.CONSOLE, created)
    await repo.add_detailed_entry(
        entry, HashedParticipant(participant_hash(code, SECRET), code[-3:], 1, None)
    )


async def test_due_reminder_reaches_each_officer_once_across_a_restart(
    server: BotApiServer, app: TelegramApp, services: Services, clock: Clock, tmp_path: Path
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    staff = {}
    for phone in ("0912000001", "0912000002", "0912000003"):
        member = await repo.member_by_phone(phone)
        assert member is not None
        staff[phone] = member
    lan, nam, hoa = staff["0912000001"], staff["0912000002"], staff["0912000003"]
    await repo.link_telegram(lan.id, 5001)
    await participant(repo, lan, "0123456001", date(2026, 11, 5))  # due 05/12
    await participant(repo, lan, "0123456002", date(2026, 11, 14))  # due 14/12: the last day
    await participant(repo, lan, "0123456003", date(2026, 11, 15))  # due 15/12: too far
    await participant(repo, hoa, "0123456004", date(2026, 11, 10))  # due 10/12
    await participant(repo, nam, "0123456005", date(2026, 10, 20))  # due 20/11: overdue
    texts: list[tuple[str, str]] = []
    sms = FunctionSender(lambda to, text: texts.append((to, text)))
    clock.now = MONDAY_0730

    await runner(services, app, sms).run_due()
    await runner(services, app, sms).run_due()  # the sweep finds nothing new
    await repo.close()
    again = await restarted(tmp_path, clock)  # a restart finds it recorded
    try:
        await runner(again, app, sms).recover()
        await runner(again, app, sms).run_due()
        deliveries = await again.repo.deliveries("due_reminder", "2026-11-30")
    finally:
        await again.repo.close()

    [message] = server.calls_of("sendMessage")
    assert message.params["chat_id"] == 5001
    assert message.params["text"] == (
        "🔔 Nguyễn Thị Lan ơi, 2 người tham gia của bạn đến hạn đóng tiếp trong 14 ngày tới"
        " (đến 14/12/2026). Xem danh sách: /denhan; khi họ đóng: /giahan."
    )
    assert texts == [
        (
            "0912000003",
            "Nhac gia han: 1 nguoi TG cua ban den han dong trong 14 ngay toi (den 14/12/2026)."
            " Xem: DH. Da dong: GH TN <ma> <thang>",
        )
    ]
    assert sorted((d.target.id, d.state) for d in deliveries) == [
        (lan.id, DeliveryState.SENT),
        (hoa.id, DeliveryState.SENT),
    ]
