"""Every notice reaches its person on the channel they use, whichever channel caused it
(issue 12). Real parts: Kannel for SMS both ways, the local Bot API server for Telegram."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.http import build_http_app
from channels.sms_sender import KannelSender, SmsNotices
from channels.telegram import TelegramApp
from commands.context import Services
from commands.registry import run_text
from settings import Settings
from storage.store_base import StoreBase
from tests.support.botapi import BotApiServer
from tests.support.kannel import KannelGateway, kannel_available, serve_asgi
from tests.support.telegram import send
from tests.support.updates import callback_update, contact_update, text_update, user
from tracker.models import Channel, TargetKind

if not kannel_available():
    if os.environ.get("CI"):
        pytest.fail("Kannel is not installed but CI is set", pytrace=False)
    pytest.skip("Kannel is not installed: bash scripts/install-kannel.sh", allow_module_level=True)

SECRET = "kannel-in_S3cret"
PARTICIPANT_SECRET = "participants-secret-for-tests-0123456789"
LEAD = user(7001, "Đức")
LAN_SMS, NAM_SMS, LEAD_SMS = "84912000001", "84912000002", "84913000001"
CODE = "012345678901"


def get_url(base: str) -> str:
    return f"{base}/sms/inbound?from=%p&to=%P&text=%a&id=%I&ts=%t&secret={SECRET}"


@pytest.fixture
async def gw(services: Services, tmp_path: Path) -> AsyncIterator[KannelGateway]:
    """Kannel in front of the bot's HTTP app; the bot's pushed SMS go out through it."""
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(PARTICIPANT_SECRET)
    app = build_http_app(services, Settings(sms_inbound_secret=SECRET))
    async with (
        serve_asgi(app) as url,
        KannelGateway(get_url_template=get_url(url), tmp_path=tmp_path) as gateway,
        KannelSender(
            gateway.sendsms_url, gateway.sendsms_user, gateway.sendsms_password, backoff=0.0
        ) as kannel,
    ):
        services.notifier.register(Channel.SMS, SmsNotices(kannel))
        yield gateway


@pytest.fixture
async def lead_on_telegram(bot: TelegramApp, server: BotApiServer) -> dict[str, object]:
    linked = await send(server, contact_update(LEAD, "0913000001", LEAD["id"]))
    assert "Đã liên kết tài khoản" in linked.params["text"]
    return LEAD


async def test_a_duplicate_logged_by_sms_tells_the_lead_on_telegram(
    gw: KannelGateway, server: BotApiServer, lead_on_telegram: dict[str, object]
) -> None:
    await gw.inject_mo(LAN_SMS, f"TN 1 ma={CODE}")
    assert (await gw.wait_mt(to=LAN_SMS)).text.startswith("Da ghi 1 TN ngay 23/11/2026.")
    since = server.mark()
    await gw.inject_mo(NAM_SMS, f"TN 1 ma={CODE}")
    assert "KHONG duoc tinh" in (await gw.wait_mt(to=NAM_SMS)).text
    notice = await server.wait_for("sendMessage", since=since)
    assert notice.params["chat_id"] == LEAD["id"]
    assert notice.params["text"] == (
        "⚠️ Trùng người tham gia BHXH tự nguyện mã …901 năm 2026: Phạm Văn Nam ghi ngày 23/11/2026"
        " (bản ghi #2), nhưng Nguyễn Thị Lan đã ghi ngày 23/11/2026 (bản ghi #1)."
        " Bản ghi #2 được lưu và không được tính."
    )


async def test_a_rejection_sent_by_sms_reaches_the_owner_by_sms(gw: KannelGateway) -> None:
    await gw.inject_mo(LAN_SMS, "TN 2")
    await gw.wait_mt(to=LAN_SMS)
    await gw.inject_mo(LEAD_SMS, "/tuchoi 1 trùng hồ sơ")
    assert (await gw.wait_mt(to=LEAD_SMS)).text.startswith("Da tu choi ban ghi #1")
    told = await gw.wait_mt(to=LAN_SMS)
    assert told.text == (
        "Ban ghi #1 (TN 2 nguoi, ngay 23/11/2026) cua ban da bi Tran Minh Duc tu choi"
        " va khong duoc tinh. Ly do: trung ho so"
    )


async def test_a_notice_goes_first_where_the_member_last_wrote(
    gw: KannelGateway, server: BotApiServer, lead_on_telegram: dict[str, object]
) -> None:
    # The lead wrote last by SMS: the duplicate notice follows him there, not to Telegram.
    await gw.inject_mo(LEAD_SMS, "TD")
    await gw.wait_mt(to=LEAD_SMS)
    await gw.inject_mo(LAN_SMS, f"TN 1 ma={CODE}")
    await gw.wait_mt(to=LAN_SMS)
    on_telegram = len(server.sent_messages(LEAD["id"]))
    await gw.inject_mo(NAM_SMS, f"TN 1 cccd {CODE}")
    await gw.wait_mt(to=NAM_SMS)
    notice = await gw.wait_mt(to=LEAD_SMS)
    assert notice.text.startswith("Trung nguoi tham gia TN ma ...901 nam 2026")
    assert len(server.sent_messages(LEAD["id"])) == on_telegram


async def test_the_lead_is_told_when_a_notice_cannot_be_delivered(
    services: Services, server: BotApiServer, lead_on_telegram: dict[str, object]
) -> None:
    # Telegram only (no SMS gateway configured), and Lan never linked Telegram.
    lan = await services.repo.member_by_phone("0912000001")
    assert lan is not None
    logged = await run_text(services, lan, "/ghi TN 2", Channel.CONSOLE, None)
    assert logged.text.startswith("✅ Đã ghi 2")
    since = server.mark()
    server.push_update(text_update(LEAD, "/tuchoi 1 sai ngày"))
    answer = await server.wait_for("sendMessage", since=since)
    assert str(answer.params["text"]).startswith("❌ Đã từ chối bản ghi #1")
    warning = await server.wait_for(
        "sendMessage", lambda call: call.params["text"] != answer.params["text"], since=since
    )
    assert warning.params["chat_id"] == LEAD["id"]
    assert warning.params["text"] == (
        "⚠️ Không gửi được thông báo cho Nguyễn Thị Lan (0912000001): người này chưa liên kết"
        " Telegram và chưa nhận được SMS. Hãy báo trực tiếp."
    )


async def test_a_past_quota_is_confirmed_with_the_telegram_button(
    services: Services, server: BotApiServer, lead_on_telegram: dict[str, object]
) -> None:
    asked = await send(server, text_update(LEAD, "/chitieu 0912000002 TN tháng trước 30"))
    assert str(asked.params["text"]).endswith(
        "⚠️ Kỳ tháng 10/2026 đã qua.\nBấm Đồng ý để lưu, hoặc Bỏ."
    )
    [[yes, no]] = asked.params["reply_markup"]["inline_keyboard"]
    assert (yes["callback_data"], no["callback_data"]) == ("/xacnhan", "/boqua")
    nam = await services.repo.member_by_phone("0912000002")
    assert nam is not None
    assert await services.repo.quota_books(TargetKind.MEMBER, nam.id) == {
        "TN": {"2026": 120},
        "YT": {"2026": 240},
    }
    done = await send(server, callback_update(LEAD, yes["callback_data"], LEAD["id"]))
    assert (
        done.params["text"]
        == "✅ Chỉ tiêu BHXH tự nguyện tháng 10/2026 của Phạm Văn Nam (0912000002): — → 30."
    )
    books = await services.repo.quota_books(TargetKind.MEMBER, nam.id)
    assert books["TN"]["2026-10"] == 30
