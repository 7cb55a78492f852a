"""What unit views say (issues 13 and 14): programs named in full where there is room,
and which plan each number is measured against, with the plan for participants in
total beside the enrolment plan wherever a unit has one. Both backends."""

from __future__ import annotations

import re
from datetime import date

import pytest

from commands.context import Reply, Services
from commands.notices import worded
from storage.repository import QuotaRow
from storage.store_base import StoreBase
from tests.conftest import COMMUNE, NOW, OFFICE
from tests.support.members import say
from tracker.models import Channel, PlanKind, TargetKind
from tracker.participant_counts import CountRow

LEAD, LAN, NAM, HOA = "0913000001", "0912000001", "0912000002", "0912000003"
OFFICE_LINE = "Tổng số người tham gia BHXH tự nguyện: 1.104/1.200 (92,00%) · kế hoạch năm 2026"
COMMUNE_ROW = "   ↳ tổng số người tham gia BHXH tự nguyện: 454/500 (90,80%) · kế hoạch năm 2026"


async def total_plans(services: Services) -> None:
    """The office plans 1.200 participants in total for 2026 and its commune 500; the
    official counts on 31/10 were 1.100 and 450; Lan then enrols 4 in the commune."""
    await services.repo.import_quotas(
        [
            QuotaRow(2, TargetKind.UNIT, OFFICE, "TN", "2026", 1_200, PlanKind.TOTAL),
            QuotaRow(3, TargetKind.UNIT, COMMUNE, "TN", "2026", 500, PlanKind.TOTAL),
        ],
        NOW,
    )
    await services.repo.import_participant_counts(
        [
            CountRow(2, OFFICE, "TN", date(2026, 10, 31), 1_100),
            CountRow(3, COMMUNE, "TN", date(2026, 10, 31), 450),
        ],
        NOW,
    )
    logged = await say(services, LAN, "/ghi TN 4")
    assert logged.text.startswith("✅ Đã ghi 4 người tham gia BHXH tự nguyện ngày 23/11/2026.")


async def test_bxh_says_which_plan_and_shows_the_total_plan(services: Services) -> None:
    before = (await say(services, LEAD, "/bxh")).text.splitlines()
    # Without a total plan, the unit's line is the last: nothing is added.
    assert before[-1] == "Cả đơn vị: 0/90 (0,00%) · tổng chỉ tiêu cá nhân"
    await total_plans(services)
    board = (await say(services, LEAD, "/bxh")).text.splitlines()
    assert board[0] == (
        "🏆 Xếp hạng tháng 11/2026 · BHXH cơ sở Hạc Thành (BHXH tự nguyện + BHYT hộ gia đình)"
    )
    # Members' targets of the month: 3 x (10 + 20) = 90 enrolments; 1.100 + 4 of 1.200.
    assert board[-2:] == ["Cả đơn vị: 4/90 (4,44%) · tổng chỉ tiêu cá nhân", OFFICE_LINE]
    tn = (await say(services, LEAD, "/bxh năm TN")).text.splitlines()
    assert tn[-2:] == ["Cả đơn vị: 4/360 (1,11%) · tổng chỉ tiêu cá nhân", OFFICE_LINE]
    # A board of YT alone: the office has no total plan for YT.
    yt = (await say(services, LEAD, "/bxh YT")).text.splitlines()
    assert yt[-1] == "Cả đơn vị: 0/60 (0,00%) · tổng chỉ tiêu cá nhân"
    await say(services, LEAD, "/lang en")
    english = (await say(services, LEAD, "/top")).text.splitlines()
    assert english[-1] == (
        "Participants in total, Voluntary social insurance: 1,104/1,200 (92.00%) · plan for"
        " year 2026"
    )


async def test_donvi_rows_show_their_own_total_plans(services: Services) -> None:
    await total_plans(services)
    assert (await say(services, LEAD, "/donvi năm")).text.splitlines()[:4] == [
        "🏢 Xếp hạng đơn vị năm 2026 · BHXH cơ sở Hạc Thành (BHXH tự nguyện + BHYT hộ gia đình)",
        "🥇 1. Phường Hạc Thành — 4/720 (0,55%) · tổng chỉ tiêu cá nhân",
        COMMUNE_ROW,
        "🥈 2. Bưu điện Hạc Thành — 0/360 (0,00%) · tổng chỉ tiêu cá nhân",
    ]
    # An officer sees the same rows, and the office's own plan under its line (a lead
    # reads that one in the participants block instead).
    officer = (await say(services, NAM, "/donvi năm")).text.splitlines()
    assert officer[2] == COMMUNE_ROW
    assert officer[-2:] == [
        "Cả BHXH cơ sở Hạc Thành: 4/1.080 (0,37%) · tổng chỉ tiêu cá nhân",
        OFFICE_LINE,
    ]
    sms = (await say(services, NAM, "DV N", Channel.SMS)).text
    assert "tong so" not in sms.lower()  # an SMS has no room for it


async def test_the_summary_chart_and_emulation_show_the_total_plan(services: Services) -> None:
    await total_plans(services)
    summary = (await say(services, LEAD, "/tonghop")).text.splitlines()
    assert summary[1:6] == [
        "Phát triển mới so với kế hoạch:",
        "· BHXH tự nguyện: 4/30 (13,33%)",
        "· BHYT hộ gia đình: 0/60 (0,00%)",
        "· Tổng cộng: 4/90 (4,44%)",
        f"· {OFFICE_LINE}",
    ]
    chart = await say(services, LEAD, "/bieudo")
    assert chart.text.splitlines() == [
        "📊 Biểu đồ tháng 11/2026 · BHXH cơ sở Hạc Thành:"
        " người tham gia mới so với kế hoạch phát triển mới",
        OFFICE_LINE,
    ]
    emulation = (await say(services, LEAD, "/thidua")).text.splitlines()
    assert emulation[1:4] == [
        "Đơn vị BHXH cơ sở Hạc Thành:",
        "Hoàn thành kế hoạch phát triển mới: BHXH tự nguyện 1,11% · BHYT hộ gia đình 0,00%",
        OFFICE_LINE,
    ]
    commune_lead = (await say(services, LAN, "/bieudo")).text.splitlines()
    assert commune_lead[0].startswith("📊 Biểu đồ tháng 11/2026 · Phường Hạc Thành:")
    assert commune_lead[1] == (
        "Tổng số người tham gia BHXH tự nguyện: 454/500 (90,80%) · kế hoạch năm 2026"
    )


# A label that is only a code: `TN:` or `TN 3,33%`, where the full name belongs.
BARE_CODE = re.compile(r"(?<![\w/])(TN|YT)(:| \d)")
LEAD_VIEWS = (
    "/tiendo",
    "/tiendo năm",
    "/bxh",
    "/bxh năm TN",
    "/donvi",
    "/donvi năm",
    "/thidua",
    "/tonghop",
    "/denhan",
    f"/denhan {LAN}",
    "/bieudo",
)


# A code as a word, where a confirmation names the program: `tham gia TN ngày`,
# `· TN 4 người`. What to type stays a code (`/ghi TN 1`).
CODE_WORD = re.compile(r"(?<![\w/])(?<!/ghi )(?<!/log )(TN|YT)(?!\w)")
PARTICIPANT = "0123456789"


async def confirmations(services: Services, channel: Channel) -> list[tuple[str, str]]:
    """What a lead and an officer are told when they log, set a plan, review, renew,
    undo and log a participant twice, and the notices others get: (what, text)."""
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret("names-in-full")
    told: list[tuple[str, str]] = []

    async def run(phone: str, text: str) -> Reply:
        reply = await say(services, phone, text, channel)
        told.append((text, reply.text))
        told.extend((f"{text} → notice", worded(n, "vi")) for n in reply.direct_messages)
        # A notice that goes by SMS keeps the code: no room for the name.
        for notice in reply.direct_messages:
            assert CODE_WORD.search(worded(notice, "vi", plain=True)), notice
        return reply

    await run(LAN, f"/ghi TN 1 ma={PARTICIPANT} ky=1")
    await run(LAN, f"/ghi TN 1 ma={PARTICIPANT} ky=1 22/11")  # the same participant
    await run(LEAD, "/ghi TN 2")
    await run(LEAD, "/ghi YT 1")
    await run(LEAD, "/huy")
    await run(LEAD, "/ghi YT")  # how many?
    await run(LEAD, "/chitieu Phường Hạc Thành TN 2026-12 40")
    await run(LEAD, "/chitieu BHXH cơ sở Hạc Thành TN 2026 1300 tong")
    await run(LEAD, "/chitieu Phường Hạc Thành YT 2026-12 99999999")  # too big
    queue = await run(LEAD, "/duyet")
    first, second = [row[0].command.split()[1] for row in queue.buttons[:2]]
    await run(LEAD, f"/duyet {first}")
    await run(LEAD, f"/tuchoi {second} sai ngày")
    await run(LEAD, f"/duyet {second}")  # a rejected entry: reopen it?
    await run(LEAD, "y")
    await run(LEAD, f"/giahan TN ma={PARTICIPANT} ky=6")
    await run(LEAD, "/giahan TN ma=0999999999 ky=6")  # never logged: with what to type
    return told


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.TELEGRAM])
async def test_lead_views_name_programs_in_full(services: Services, channel: Channel) -> None:
    await total_plans(services)
    await say(services, LAN, "/ghi YT 2 ky=6")
    for text in LEAD_VIEWS:
        reply = (await say(services, LEAD, text, channel)).text
        assert "BHXH tự nguyện" in reply or text.startswith("/denhan"), text
        bare = [line for line in reply.splitlines() if BARE_CODE.search(line)]
        assert bare == [], (text, bare)
    officer = (await say(services, LAN, "/tiendo", channel)).text
    assert officer.splitlines()[1] == (
        "BHXH tự nguyện: 4/10 (40,00%) · chậm 4 người so với tiến độ"
    )
    told = await confirmations(services, channel)
    assert len(told) == 19  # each command's reply, and the 3 notices to others
    for what, text in told:
        assert "BHXH tự nguyện" in text or "BHYT hộ gia đình" in text, (what, text)
        coded = [line for line in text.splitlines() if CODE_WORD.search(line)]
        assert coded == [], (what, coded)


GSM7_SAFE = re.compile(r"[ -Z_a-z!-/:-@\n]*")
"""Printable ASCII that GSM-7 sends as one septet each (no []{}~\\^|`)."""


@pytest.mark.parametrize("phone", [LEAD, LAN, HOA])
async def test_sms_replies_keep_codes_and_fit_one_gsm7_message(
    services: Services, phone: str
) -> None:
    await total_plans(services)
    for text in ("TD", "TD N", "TD Q", "BXH", "BXH N", "DH", "HD", "TN 1"):
        reply = (await say(services, phone, text, Channel.SMS)).text
        assert len(reply) <= 160, (text, len(reply), reply)
        assert GSM7_SAFE.fullmatch(reply), (text, reply)
        assert "tu nguyen" not in reply and "ho gia dinh" not in reply, (text, reply)
