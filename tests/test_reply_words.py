"""No reply in Vietnamese shows "None", "0/0" or an English state name, whoever asks
and whatever the data: units with and without a plan, a yearly plan of 3, a rejected
entry, a closed month, a member with no quota at all."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from commands.context import Services
from commands.registry import run_text
from storage.repository import QuotaRow, StaffRow
from tests.conftest import COMMUNE, NOW, OFFICE
from tracker.models import Channel, NewEntry, Role, TargetKind
from tracker.periods import VIETNAM

ENGLISH_STATES = re.compile(
    r"\b(reported|confirmed|rejected|voided|pending|on_track|ahead|behind|not_completed"
    r"|excellent|completed|None)\b"
)
COMMANDS = [
    "/tiendo", "/tiendo tuần", "/tiendo quý", "/tiendo năm", "/tiendo tháng trước",
    "/bxh", "/bxh năm", "/bxh tháng trước TN", "/donvi", "/donvi năm YT", "/thidua",
    "/huyhieu", "/trogiup", "/duyet", "/nhatky", "/xuat", "/xuat năm",
]  # fmt: skip
PEOPLE = ["0912000001", "0912000003", "0912000009", "0912000010", "0913000001", "0915000001"]


async def test_no_reply_shows_none_zero_over_zero_or_english_states(services: Services) -> None:
    repo = services.repo
    await repo.import_staff(
        [
            StaffRow(6, COMMUNE, "Đỗ Văn Ba", "0912000009", Role.AGENT),
            StaffRow(7, COMMUNE, "Lê Thị Tư", "0912000010", Role.OFFICER),  # no quota at all
            StaffRow(8, "BHXH tỉnh Thanh Hóa", "Lê Văn Hùng", "0915000001", Role.ADMIN),
        ]
    )
    await repo.import_quotas(
        [
            QuotaRow(0, TargetKind.MEMBER, "0912000009", "TN", "2026", 3),
            QuotaRow(0, TargetKind.UNIT, OFFICE, "TN", "2026", 1_577),
            QuotaRow(0, TargetKind.UNIT, OFFICE, "YT", "2026-12", 40),
        ],
        NOW,
    )
    for phone, program, day, count in (
        ("0912000001", "TN", date(2026, 10, 6), 7),
        ("0912000009", "TN", date(2026, 11, 3), 2),
        ("0912000010", "YT", date(2026, 11, 4), 1),
    ):
        who = await repo.member_by_phone(phone)
        assert who is not None
        at = datetime.combine(day, time(9), VIETNAM)
        await repo.add_entry(NewEntry(who.id, who.unit_id, program, day, count, Channel.IMPORT, at))
    lan = await repo.member_by_phone("0912000001")
    lead = await repo.member_by_phone("0913000001")
    assert lan is not None and lead is not None
    await run_text(services, lan, "/ghi YT 2", Channel.CONSOLE, "k1")
    pending = await run_text(services, lan, "/ghi TN 1", Channel.CONSOLE, "k2")
    entry_id = pending.buttons[0][0].command.split()[1] if pending.buttons else "1"
    await run_text(services, lead, f"/tuchoi {entry_id} trùng", Channel.CONSOLE, "k3")

    replies = []
    for phone in PEOPLE:
        who = await repo.member_by_phone(phone)
        assert who is not None
        for command in COMMANDS:
            reply = await run_text(services, who, command, Channel.CONSOLE, None)
            replies.append((phone, command, reply.text))
        for command in ("TD", "TD N", "BXH", "HD"):
            reply = await run_text(services, who, command, Channel.SMS, None)
            replies.append((phone, command, reply.text))
    for phone, command, text in replies:
        assert "0/0" not in text, (phone, command, text)
        assert not ENGLISH_STATES.search(text), (phone, command, text)
    # The replies were really produced, with the plan and the yearly 3 in them.
    shown = "\n".join(text for _, _, text in replies)
    assert "1.577" in shown and "cả năm 3: đã đạt 2" in shown
