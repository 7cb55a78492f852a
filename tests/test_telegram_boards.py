"""Leaderboards and the team group through the real Telegram stack."""

from __future__ import annotations

from channels.telegram import TelegramApp
from tests.support.botapi import BotApiServer
from tests.support.telegram import send
from tests.support.updates import contact_update, group_chat, text_update, user

LAN = user(6001, "Lan")
LEAD = user(6002, "Đức")
TEAM_GROUP = group_chat(-100200300, "Tổ thu Hạc Thành")


async def link(server: BotApiServer, who: dict[str, object], phone: str) -> None:
    reply = await send(server, contact_update(who, phone, contact_user_id=who["id"]))
    assert "Đã liên kết" in reply.params["text"]


async def test_only_a_lead_binds_a_group_and_celebrations_reach_it_once(
    server: BotApiServer, bot: TelegramApp
) -> None:
    await link(server, LAN, "0912000001")
    await link(server, LEAD, "0913000001")
    refused = await send(server, text_update(LAN, "/nhom", chat=TEAM_GROUP))
    assert refused.params["text"] == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    private = await send(server, text_update(LEAD, "/setgroup"))
    assert private.params["text"] == "Hãy gõ lệnh này trong nhóm Telegram của đơn vị."
    bound = await send(server, text_update(LEAD, "/nhom", chat=TEAM_GROUP))
    assert bound.params["text"].startswith("✅ Nhóm này đã được gắn với BHXH cơ sở Hạc Thành")

    since = server.mark()
    await send(server, text_update(LAN, "/ghi TN 10"))  # November target 10: met
    celebration = await server.wait_for(
        "sendMessage", lambda call: call.params["chat_id"] == TEAM_GROUP["id"], since=since
    )
    assert celebration.params["text"] == (
        "🎉 Chúc mừng Nguyễn Thị Lan đã hoàn thành 100% chỉ tiêu BHXH tự nguyện tháng 11/2026!"
    )
    await send(server, text_update(LAN, "/ghi TN 1"))
    to_group = [
        call
        for call in server.sent_messages(TEAM_GROUP["id"])
        if "Chúc mừng" in call.params["text"]
    ]
    assert len(to_group) == 1


async def test_top_units_and_emulation_answer_in_private(
    server: BotApiServer, bot: TelegramApp
) -> None:
    await link(server, LAN, "0912000001")
    await send(server, text_update(LAN, "TN 3"))
    top = await send(server, text_update(LAN, "/bxh"))
    assert "👉 1. Nguyễn Thị Lan — 3/30 (10,00%)" in top.params["text"]
    units = await send(server, text_update(LAN, "/units"))
    assert units.params["text"].startswith(
        "🏢 Xếp hạng đơn vị tháng 11/2026 · BHXH cơ sở Hạc Thành"
    )
    emulation = await send(server, text_update(LAN, "/thidua"))
    assert emulation.params["text"].startswith("🎖 Thi đua năm 2026")
    assert "Dự kiến cuối năm" in emulation.params["text"]
