"""Lead commands through the real Telegram stack: who may do what, and where.

Every actor (lead on their own subtree, on another unit, on the parent unit; officer;
agent; admin; an unlinked user) is tried on every lead command; each refusal is checked
for its text and for having changed nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from channels.telegram import TelegramApp
from commands.context import Services
from commands.registry import run_text
from storage.repository import StaffRow
from storage.store_base import StoreBase
from tests.support.botapi import BotApiServer
from tests.support.telegram import send
from tests.support.updates import callback_update, contact_update, text_update, user
from tracker.models import Channel, Role, TargetKind

SAM_SON = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn"
EXTRA = [
    StaffRow(6, f"{SAM_SON} / Phường Sầm Sơn", "Đỗ Thị Mai", "0914000002", Role.OFFICER),
    StaffRow(7, "BHXH tỉnh Thanh Hóa", "Hoàng Quốc Việt", "0915000001", Role.ADMIN),
]
LEAD = user(6001, "Đức")
LAN = user(6002, "Lan")  # officer in the lead's subtree
HOA = user(6003, "Hoa")  # agent in the lead's subtree
ADMIN = user(6004, "Việt")
STRANGER = user(6005, "Khách", language_code="en")
PHONES = {6001: "0913000001", 6002: "0912000001", 6003: "0912000003", 6004: "0915000001"}

NOT_ALLOWED = "Xin lỗi, vai trò của bạn không được dùng lệnh này."
LINK_PROMPT = "Hello! To use this bot"


@pytest.fixture
async def bot(bot: TelegramApp, server: BotApiServer, services: Services) -> TelegramApp:
    """The shared running bot, with the extra staff and four linked accounts."""
    await services.repo.import_staff(EXTRA)
    for who in (LEAD, LAN, HOA, ADMIN):
        linked = await send(server, contact_update(who, PHONES[who["id"]], who["id"]))
        assert "Đã liên kết tài khoản" in linked.params["text"]
    return bot


async def telegram_reply(server: BotApiServer, who: dict[str, Any], text: str) -> str:
    """A Telegram message from `who` through the running bot; the text it answers with."""
    return str((await send(server, text_update(who, text))).params["text"])


async def snapshot(services: Services) -> tuple[list[Any], ...]:
    """Everything a lead command could change."""
    repo = services.repo
    assert isinstance(repo, StoreBase)
    return (
        await repo._all("SELECT * FROM quotas ORDER BY 1, 2, 3, 4"),
        await repo._all("SELECT id, state, state_reason FROM entries ORDER BY id"),
        await repo._all("SELECT * FROM entry_totals ORDER BY 1, 2, 3, 4"),
        await repo._all("SELECT * FROM audit_log ORDER BY id"),
    )


async def refused(
    server: BotApiServer, services: Services, who: dict[str, Any], text: str, expected: str
) -> None:
    before = await snapshot(services)
    answer = await telegram_reply(server, who, text)
    assert answer.startswith(expected), (text, answer)
    assert await snapshot(services) == before, text


async def test_quota_authorisation_matrix(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    outside = "Không có ai với số 0914000002 trong các đơn vị bạn quản lý."
    no_unit = 'Không tìm thấy đơn vị "{}" trong phạm vi của bạn.'
    cases = [
        (LEAD, "/chitieu 0914000002 TN 2026 50", outside),
        (LEAD, "/chitieu Sam Son TN 2026 50", no_unit.format("Sam Son")),
        (LEAD, "/chitieu BHXH tinh Thanh Hoa TN 2026 900", no_unit.format("BHXH tinh Thanh Hoa")),
        (LAN, "/chitieu 0912000001 TN 2026 999", NOT_ALLOWED),
        (LAN, "/quota Phuong Hac Thanh TN 2026 999", NOT_ALLOWED),
        (HOA, "/chitieu 0912000003 TN 2026 999", NOT_ALLOWED),
        (STRANGER, "/chitieu 0912000001 TN 2026 999", LINK_PROMPT),
    ]
    for who, text, expected in cases:
        await refused(server, services, who, text, expected)

    own_member = await telegram_reply(server, LEAD, "/chitieu 0912000001 TN 2026 150")
    assert (
        own_member
        == "✅ Chỉ tiêu BHXH tự nguyện năm 2026 của Nguyễn Thị Lan (0912000001): 120 → 150."
    )
    own_unit = await telegram_reply(
        server, LEAD, "/quota Phuong Hac Thanh YT 2026-Q4 300 split month"
    )
    assert own_unit.startswith(
        "✅ Chỉ tiêu BHYT hộ gia đình quý IV/2026 của BHXH tỉnh Thanh Hóa / BHXH cơ sở"
    )
    assert "2026-10: 100, 2026-11: 100, 2026-12: 100" in own_unit
    other = await telegram_reply(server, ADMIN, "/chitieu 0914000002 TN 2026 50")
    assert other == "✅ Chỉ tiêu BHXH tự nguyện năm 2026 của Đỗ Thị Mai (0914000002): — → 50."
    parent = await telegram_reply(server, ADMIN, "/chitieu BHXH tinh Thanh Hoa TN 2026 900")
    assert parent == "✅ Chỉ tiêu BHXH tự nguyện năm 2026 của BHXH tỉnh Thanh Hóa: — → 900."
    lan = await services.repo.member_by_phone("0912000001")
    assert lan is not None
    assert await services.repo.quota_books(TargetKind.MEMBER, lan.id) == {
        "TN": {"2026": 150},
        "YT": {"2026": 240},
    }
    records = await services.repo.audit_log(None, 100)
    assert len(records) == 1 + 4 + 1 + 1  # Lan; Q4 and its 3 months; Mai; the province


async def test_review_authorisation_matrix(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    logged = await telegram_reply(server, LAN, "/ghi TN 2")  # entry 1, in the lead's subtree
    assert logged.startswith("✅ Đã ghi 2")
    mai = await services.repo.member_by_phone("0914000002")
    assert mai is not None
    await run_text(services, mai, "/ghi TN 3", Channel.CONSOLE, None)  # entry 2, other unit
    await telegram_reply(server, ADMIN, "/ghi TN 1")  # entry 3, logged in the parent unit

    not_found = "Không tìm thấy bản ghi #{} trong đơn vị bạn quản lý."
    cases = [
        (LEAD, "/duyet 2", not_found.format(2)),
        (LEAD, "/tuchoi 2 sai", not_found.format(2)),
        (LEAD, "/duyet 3", not_found.format(3)),
        (LEAD, "/tuchoi 3", not_found.format(3)),
        (LAN, "/duyet 1", NOT_ALLOWED),
        (LAN, "/tuchoi 1", NOT_ALLOWED),
        (LAN, "/duyet", NOT_ALLOWED),
        (HOA, "/approve 1", NOT_ALLOWED),
        (HOA, "/reject 1", NOT_ALLOWED),
        (STRANGER, "/duyet 1", LINK_PROMPT),
        (STRANGER, "/tuchoi 1", LINK_PROMPT),
    ]
    for who, text, expected in cases:
        await refused(server, services, who, text, expected)

    listing = await send(server, text_update(LEAD, "/duyet"))
    assert listing.params["text"].splitlines()[:3] == [
        "📝 1 bản ghi đang chờ duyệt.",
        "Trang 1/1, 1 bản ghi (mới nhất trước):",
        "#1 Nguyễn Thị Lan · BHXH tự nguyện 2 người · 23/11/2026 (Telegram)",
    ]
    [[confirm, reject], [everything]] = listing.params["reply_markup"]["inline_keyboard"]
    assert everything["callback_data"] == "/duyet tatca trang 1"
    assert (confirm["callback_data"], reject["callback_data"]) == ("/duyet 1", "/tuchoi 1")

    since = server.mark()
    rejected = await send(server, callback_update(LEAD, reject["callback_data"], LEAD["id"]))
    assert rejected.params["text"].startswith("❌ Đã từ chối bản ghi #1: Nguyễn Thị Lan")
    told = await server.wait_for(
        "sendMessage", lambda call: call.params["chat_id"] == LAN["id"], since=since
    )
    assert "của bạn đã bị Trần Minh Đức từ chối và không được tính" in told.params["text"]
    progress = await telegram_reply(server, LAN, "/tiendo")
    assert "BHXH tự nguyện: 0/10" in progress
    everywhere = await telegram_reply(server, ADMIN, "/duyet")
    assert everywhere.splitlines()[2:4] == [
        "#3 Hoàng Quốc Việt · BHXH tự nguyện 1 người · 23/11/2026 (Telegram)",
        "#2 Đỗ Thị Mai · BHXH tự nguyện 3 người · 23/11/2026 (máy tính)",
    ]
    assert (await telegram_reply(server, ADMIN, "/duyet 2")).startswith("✅ Đã xác nhận bản ghi #2")


async def test_export_and_audit_authorisation(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    await telegram_reply(server, ADMIN, "/chitieu 0914000002 TN 2026 50")
    await telegram_reply(server, LEAD, "/chitieu 0912000001 TN 2026 150")
    for who, text, expected in [
        (LAN, "/xuat", NOT_ALLOWED),
        (HOA, "/export", NOT_ALLOWED),
        (LAN, "/nhatky", NOT_ALLOWED),
        (HOA, "/audit", NOT_ALLOWED),
        (STRANGER, "/xuat", LINK_PROMPT),
        (STRANGER, "/nhatky", LINK_PROMPT),
    ]:
        since = server.mark()
        await refused(server, services, who, text, expected)
        assert not [c for c in server.calls[since:] if c.method == "sendDocument"]

    audit = await telegram_reply(server, LEAD, "/nhatky")
    assert audit.splitlines()[0] == "🗂 1 thay đổi gần nhất:"
    assert audit.splitlines()[1].endswith("Nguyễn Thị Lan (0912000001) · TN 2026: 120 → 150")
    assert "Đỗ Thị Mai" in await telegram_reply(server, ADMIN, "/audit")

    since = server.mark()
    text = await telegram_reply(server, LEAD, "/xuat")
    assert text.startswith("📎 Báo cáo tiến độ tháng 11/2026 · BHXH cơ sở Hạc Thành: 3 người")
    xlsx = await server.wait_for("sendDocument", since=since)
    csv_doc = await server.wait_for(
        "sendDocument", lambda c: c.files["document"][0].endswith(".csv"), since=since
    )
    filename, content = xlsx.files["document"]
    assert filename == "bao-cao-tien-do-2026-11.xlsx"
    workbook = load_workbook(io.BytesIO(content))
    names = [row[0] for row in workbook["BHXH tự nguyện"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Nguyễn Thị Lan", "Phạm Văn Nam", "Vũ Thị Hoa"]
    rows = list(csv.reader(io.StringIO(csv_doc.files["document"][1].decode("utf-8-sig"))))
    assert "Đỗ Thị Mai" not in {row[1] for row in rows}
