"""Issue 14 on the real Telegram stack: /denhan and /giahan typed in Telegram, through
python-telegram-bot and the local Bot API test server, on both backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from channels.telegram import TelegramApp
from commands.context import Services
from storage.store_base import StoreBase
from tests.support.botapi import BotApiServer
from tests.support.db import rows
from tests.support.telegram import send
from tests.support.updates import contact_update, text_update, user
from tests.test_due_renew import CODE, OLD, SECRET, log_earlier, staff

LAN = user(6101, "Lan")
LEAD = user(6102, "Đức")


async def link(server: BotApiServer, who: dict[str, object], phone: str) -> None:
    reply = await send(server, contact_update(who, phone, contact_user_id=who["id"]))
    assert "Đã liên kết" in reply.params["text"]


async def test_due_list_and_a_renewal_typed_in_telegram(
    server: BotApiServer, bot: TelegramApp, services: Services, tmp_path: Path
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    lan = (await staff(services))["0912000001"]
    await log_earlier(repo, lan, OLD, date(2026, 10, 1))  # 1 month: due 01/11, overdue
    await link(server, LAN, "0912000001")
    await link(server, LEAD, "0913000001")

    logged = await send(server, text_update(LAN, f"/ghi TN 1 ma={CODE} ky=1 20/11"))
    assert logged.params["text"].startswith(
        "✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 20/11/2026."
    )

    due = await send(server, text_update(LAN, "/denhan"))
    assert due.params["text"] == "\n".join(
        [
            "Đến hạn đóng của Nguyễn Thị Lan: 2 người (hạn từ 25/08/2026 đến 23/12/2026)",
            "  …111 · BHXH tự nguyện · đóng đến 01/11/2026 · Nguyễn Thị Lan ghi · ⚠️ quá hạn",
            "  …789 · BHXH tự nguyện · đóng đến 20/12/2026 · Nguyễn Thị Lan ghi",
            "Khi người tham gia đóng tiếp: /giahan TN ma=<mã> ky=<tháng>.",
        ]
    )
    lead_view = await send(server, text_update(LEAD, "/due"))
    assert lead_view.params["text"].splitlines()[0] == (
        "BHXH cơ sở Hạc Thành: 1 người sắp đến hạn, 1 người quá hạn chưa đóng"
        " (hạn từ 25/08/2026 đến 23/12/2026)"
    )

    renewal = text_update(LAN, f"/giahan TN ma={CODE} ky=6")
    renewal["update_id"] = 9101
    expected = (
        "Đã gia hạn BHXH tự nguyện mã …789: đóng thêm 6 tháng từ 20/12/2026, đến 20/06/2027."
        " Tính là duy trì, không tính là khai thác mới."
    )
    assert (await send(server, renewal)).params["text"] == expected
    # Telegram delivering the same message again (a retry) renews once.
    again = text_update(
        LAN, f"/giahan TN ma={CODE} ky=6", message_id=renewal["message"]["message_id"]
    )
    again["update_id"] = 9102
    since = server.mark()
    server.push_update(again)
    await server.wait_for("sendMessage", since=since)
    assert rows(tmp_path, "SELECT last3, kind, paid_until FROM renewals") == [
        ("789", "early", "2027-06-20")
    ]
    refused = await send(server, text_update(LEAD, "/giahan TN ma=0999999999 ky=6"))
    assert refused.params["text"] == (
        "Chưa ghi gia hạn: người tham gia BHXH tự nguyện mã …999 chưa từng được ghi trong đơn vị"
        " của bạn."
        " Người mới hãy ghi bằng /ghi TN 1 ma=<mã>."
    )
    after = await send(server, text_update(LAN, "/denhan"))
    assert after.params["text"].splitlines()[1:-1] == [
        "  …111 · BHXH tự nguyện · đóng đến 01/11/2026 · Nguyễn Thị Lan ghi · ⚠️ quá hạn"
    ]
