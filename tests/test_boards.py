"""Leaderboards, emulation, badges and celebrations through the commands, on real SQLite."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from commands.context import Services
from commands.registry import run_text
from storage.repository import QuotaRow, StaffRow
from tests.conftest import COMMUNE, NOW, POST_OFFICE, STAFF, Clock
from tests.support.db import rows
from tests.support.members import member, say
from tracker.models import Channel, NewEntry, Role, TargetKind


async def test_who_reached_it_first_ranks_higher(services: Services, clock: Clock) -> None:
    # November targets: TN 10 + YT 20 = 30 each. Lan and Nam both have 6 (20%); Lan
    # got there a minute earlier, so she ranks above.
    await say(services, "0912000001", "TN 6", key="a")
    clock.now += timedelta(minutes=1)
    await say(services, "0912000002", "TN 6", key="b")
    reply = await say(services, "0912000002", "/bxh")
    lines = reply.text.splitlines()
    assert (
        lines[0]
        == "🏆 Xếp hạng tháng 11/2026 · Phường Hạc Thành (BHXH tự nguyện + BHYT hộ gia đình)"
    )
    assert lines[1] == "🥇 1. Nguyễn Thị Lan — 6/30 (20,00%)"
    assert lines[2] == "👉 2. Phạm Văn Nam — 6/30 (20,00%)"
    assert lines[-1] == "Cả đơn vị: 12/60 (20,00%) · tổng chỉ tiêu cá nhân"


async def test_equal_keys_share_a_rank(services: Services) -> None:
    for phone, key in (("0912000001", "a"), ("0912000002", "b")):
        await say(services, phone, "YT 3", key=key)  # the same instant on the fixed clock
    text = (await say(services, "0912000001", "/bxh")).text
    assert "👉 1. Nguyễn Thị Lan — 3/30 (10,00%)" in text
    assert "🥇 1. Phạm Văn Nam — 3/30 (10,00%)" in text


async def test_group_view_shows_only_the_top_and_totals(services: Services) -> None:
    await services.repo.import_staff(
        [StaffRow(9, COMMUNE, f"Cán bộ {n}", f"091200010{n}", Role.OFFICER) for n in range(7)]
    )
    for n in range(7):
        await say(services, f"091200010{n}", f"TN {n + 1}", key=f"g{n}")
    private = (await say(services, "0912000001", "/bxh")).text
    group = (await say(services, "0912000001", "/bxh", group=-100)).text
    assert "Nguyễn Thị Lan" in private  # no quota: listed apart, privately
    assert "Chưa có chỉ tiêu" in private
    assert "Nguyễn Thị Lan" not in group and "Chưa có chỉ tiêu" not in group
    assert len([line for line in group.splitlines() if "—" in line]) <= 5


async def test_units_board_credits_the_unit_an_entry_was_logged_in(services: Services) -> None:
    await say(services, "0912000001", "TN 4", key="before-move")
    moved = StaffRow(2, POST_OFFICE, "Nguyễn Thị Lan", "0912000001", Role.OFFICER)
    await services.repo.import_staff([moved])
    await say(services, "0912000001", "TN 1", key="after-move")
    units = (await say(services, "0913000001", "/donvi")).text
    assert "Phường Hạc Thành — 4/" in units
    assert "Bưu điện Hạc Thành — 1/" in units
    people = (await say(services, "0912000001", "/bxh")).text
    assert "Bưu điện Hạc Thành" in people.splitlines()[0]
    assert "Nguyễn Thị Lan — 5/" in people  # a person keeps all of their own numbers


async def test_officer_cannot_name_another_unit_but_a_lead_can(services: Services) -> None:
    refused = await say(services, "0912000001", "/donvi bưu điện")
    assert refused.text == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    named = await say(services, "0913000001", "/donvi năm phuong hac thanh")
    assert "Phường Hạc Thành" in named.text.splitlines()[0]


async def test_quota_met_is_celebrated_once_per_member_and_month(services: Services) -> None:
    first = await say(services, "0912000001", "TN 9", key="c1")
    assert first.group_posts == []
    crossing = await say(services, "0912000001", "TN 1", key="c2")  # 10/10
    [post] = crossing.group_posts
    assert (
        post.text
        == "🎉 Chúc mừng Nguyễn Thị Lan đã hoàn thành 100% chỉ tiêu BHXH tự nguyện tháng 11/2026!"
    )
    await say(services, "0912000001", "/huy", key="c3")
    again = await say(services, "0912000001", "TN 1", key="c4")  # crosses again after the undo
    assert again.group_posts == []
    redelivered = await say(services, "0912000001", "TN 1", key="c2")
    assert redelivered.group_posts == []


async def test_emulation_score_tier_and_projection(services: Services) -> None:
    # Year targets TN 120, YT 240, weights 0.6/0.4. By 23 Nov (327 of 365 days):
    # TN 120 -> 100%, YT 120 -> 50%: score 0.6*100 + 0.4*50 = 80% (completed);
    # projection 80 * 365 / 327 = 89.29 -> still completed.
    agent = await member(services, "0912000003")
    for program, count in (("TN", 120), ("YT", 120)):
        entry = NewEntry(
            agent.id, agent.unit_id, program, date(2026, 6, 1), count, Channel.IMPORT, NOW
        )
        await services.repo.add_entry(entry)
    text = (await say(services, "0912000003", "/thidua")).text
    assert text.splitlines()[1:] == [
        "Hoàn thành kế hoạch phát triển mới: BHXH tự nguyện 100,00% · BHYT hộ gia đình 50,00%",
        "Điểm quy đổi hiện tại: 80 · Hoàn thành nhiệm vụ",
        "Dự kiến cuối năm: điểm quy đổi 89 · Hoàn thành nhiệm vụ",
    ]
    lead = (await say(services, "0913000001", "/thidua")).text.splitlines()
    # The unit first, then civil servants and agents apart; agents never count in a
    # unit's title shares (the post office has only Hoa).
    assert lead[1:4] == [
        "Đơn vị BHXH cơ sở Hạc Thành:",
        "Hoàn thành kế hoạch phát triển mới: BHXH tự nguyện 33,33% · BHYT hộ gia đình 16,66%",
        "Điểm quy đổi hiện tại: 26 · Không hoàn thành nhiệm vụ",
    ]
    servants = lead.index("Công chức, viên chức (dự kiến thấp nhất trước):")
    agents = lead.index("Đại lý thu, xếp riêng (dự kiến thấp nhất trước):")
    assert (
        "· Nguyễn Thị Lan: điểm quy đổi 0 → 0 · Không hoàn thành nhiệm vụ" in lead[servants:agents]
    )
    assert lead[agents + 1] == "· Vũ Thị Hoa: điểm quy đổi 80 → 89 · Hoàn thành nhiệm vụ"
    assert "· Bưu điện Hạc Thành (0 người): chỉ có đại lý thu, không xét danh hiệu tập thể" in lead


async def test_voiding_takes_a_badge_back(services: Services, clock: Clock) -> None:
    await say(services, "0912000001", "TN 10", key="b1")
    assert "Câu lạc bộ 10+" in (await say(services, "0912000001", "/huyhieu")).text
    await say(services, "0912000001", "/huy", key="b2")
    assert (await say(services, "0912000001", "/huyhieu")).text.startswith("Bạn chưa có huy hiệu")


async def test_running_totals_always_equal_a_recount(services: Services, tmp_path: Path) -> None:
    rng = random.Random(5)
    for number in range(60):
        day = NOW.date() - timedelta(days=rng.randrange(7))
        phone = rng.choice([row.phone for row in STAFF[:3]])
        await say(
            services,
            phone,
            f"{rng.choice(['TN', 'YT'])} {rng.randint(1, 5)} {day:%d/%m}",
            key=f"r{number}",
        )
        if number % 9 == 0:
            await say(services, phone, "/huy", key=f"u{number}")
    kept = dict(
        ((key, m, p), a)
        for key, m, p, a in rows(
            tmp_path,
            "SELECT period_key, member_id, program, sum(achieved) FROM entry_totals"
            " GROUP BY 1, 2, 3 HAVING sum(achieved) > 0",
        )
    )
    recount = dict(
        ((key, m, p), a)
        for key, m, p, a in rows(
            tmp_path,
            "SELECT substr(day, 1, 7), member_id, program, sum(count) FROM entries"
            " WHERE state IN ('reported', 'confirmed') GROUP BY 1, 2, 3",
        )
    )
    months = {k: v for k, v in kept.items() if len(k[0]) == 7 and "Q" not in k[0]}
    assert months == recount


async def test_an_initiative_with_an_excellent_level_leads_to_emulation_fighter(
    services: Services,
) -> None:
    agent = await member(services, "0912000003")
    for program, count in (("TN", 150), ("YT", 300)):  # 125%: excellent already
        entry = NewEntry(
            agent.id, agent.unit_id, program, date(2026, 6, 1), count, Channel.IMPORT, NOW
        )
        await services.repo.add_entry(entry)
    before = (await say(services, "0912000003", "/thidua")).text
    assert "Đang hướng tới: Lao động tiên tiến" in before
    assert "Chiến sĩ thi đua cơ sở" not in before

    refused = await say(services, "0912000001", "/sangkien 0912000003 Mở điểm thu lưu động")
    assert refused.text == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    usage = await say(services, "0913000001", "/sangkien 0912000003")
    assert usage.text.startswith("Cách ghi sáng kiến")
    done = await say(services, "0913000001", "/sangkien 0912000003 Mở điểm thu lưu động ở chợ")
    assert done.text == "✅ Đã ghi sáng kiến năm 2026 cho Vũ Thị Hoa."
    after = (await say(services, "0912000003", "/thidua")).text
    assert "Đang hướng tới: Lao động tiên tiến, Chiến sĩ thi đua cơ sở" in after
    audit = (await say(services, "0913000001", "/nhatky")).text
    assert "Mở điểm thu lưu động ở chợ" in audit


async def test_sms_ranking_fits_one_sms_with_the_top_five_and_the_sender(
    services: Services, clock: Clock
) -> None:
    team = [
        StaffRow(9, COMMUNE, f"Can bo so {n}", f"09120001{n:02d}", Role.AGENT) for n in range(12)
    ]
    await services.repo.import_staff(team)
    quotas = [QuotaRow(0, TargetKind.MEMBER, row.phone, "TN", "2026", 120) for row in team]
    await services.repo.import_quotas(quotas, NOW)
    for n, row in enumerate(team):
        clock.now += timedelta(minutes=1)
        await say(services, row.phone, f"TN {n + 1}", key=f"s{n}")
    lan = await member(services, "0912000001")
    reply = await run_text(services, lan, "BXH", Channel.SMS, None)
    lines = reply.text.splitlines()
    assert len(reply.text) <= 160 and reply.text.isascii()
    assert lines[1].startswith("1.Can bo so 11 ")
    assert sum(1 for line in lines if line[:1].isdigit()) == 5
    assert any(line.startswith("*") and "Nguyen Thi Lan" in line for line in lines)
