"""Linking a Zalo account without contact sharing: a 6-digit code by SMS through the real
Kannel, or from the lead; wrong, expired and blocked codes; one account per number."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.sms_sender import KannelSender
from commands.context import Services
from commands.registry import run_text
from tests.conftest import NOW, Clock
from tests.support.db import rows
from tests.support.kannel import KannelGateway, kannel_available
from tests.support.zalo import ZaloBot, code_in, running_zalo
from tracker.models import Channel

LAN_PHONE, LAN_NETWORK = "0912000001", "84912000001"
STRANGER_ZALO, LAN_ZALO, OTHER_ZALO = "u-new", "u-lan", "u-other"
SMS_SECRET = "kannel-in_S3cret"

ASK_PHONE = (
    "Xin chào! Để dùng bot trên Zalo, hãy gửi số điện thoại di động của bạn (số có trong "
    "danh sách cán bộ, đại lý thu). Bot sẽ nhắn mã 6 số qua SMS tới số đó để xác nhận."
)
LINKED = "✅ Đã liên kết Zalo với Nguyễn Thị Lan (0912000001). Gõ /trogiup để xem các lệnh."
WRONG = "Mã không đúng. Hãy kiểm tra lại tin nhắn SMS; sai 5 lần thì số này bị khóa 1 giờ."


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
async def kannel_zalo(
    services: Services, tmp_path: Path
) -> AsyncIterator[tuple[ZaloBot, KannelGateway]]:
    if not kannel_available():
        if os.environ.get("CI"):
            pytest.fail("Kannel is not installed but CI is set", pytrace=False)
        pytest.skip("Kannel is not installed: bash scripts/install-kannel.sh")
    async with running_zalo(services, sms_inbound_secret=SMS_SECRET) as zalo:
        get_url = f"{zalo.url}/sms/inbound?from=%p&to=%P&text=%a&id=%I&ts=%t&secret={SMS_SECRET}"
        async with KannelGateway(get_url_template=get_url, tmp_path=tmp_path) as gateway:
            sender = KannelSender(
                gateway.sendsms_url, gateway.sendsms_user, gateway.sendsms_password, backoff=0.0
            )
            async with sender:
                zalo.channel.sms_sender = sender
                yield zalo, gateway


async def test_a_code_by_sms_through_kannel_links_the_account(
    kannel_zalo: tuple[ZaloBot, KannelGateway], tmp_path: Path
) -> None:
    zalo, gateway = kannel_zalo
    assert await zalo.say(STRANGER_ZALO, "xin chào") == ASK_PHONE
    assert await zalo.say(STRANGER_ZALO, "+84 912 000 001") == (
        "Đã gửi mã 6 số qua SMS tới số 0912***001. Hãy gõ mã đó vào đây trước 10:10."
    )
    sms = await gateway.wait_mt(to=LAN_NETWORK)
    code = code_in(sms.text)
    assert (
        sms.text == f"Ma lien ket Zalo BHXH: {code}. Het han sau 10 phut. Khong dua ma nay cho ai."
    )
    [(stored_hash, phone)] = rows(tmp_path, "SELECT code_hash, phone FROM link_codes")
    assert phone == LAN_PHONE and code not in str(stored_hash)  # only a hash is kept
    assert await zalo.say(STRANGER_ZALO, wrong_code(code)) == WRONG
    assert await zalo.say(STRANGER_ZALO, code) == LINKED
    logged = await zalo.say(STRANGER_ZALO, "TN 1")
    assert logged.startswith("✅ Đã ghi 1 người tham gia BHXH tự nguyện")
    assert rows(tmp_path, "SELECT zalo_user_id FROM zalo_links") == [(STRANGER_ZALO,)]
    assert rows(tmp_path, "SELECT count(*) FROM link_codes") == [(0,)]  # spent
    assert rows(tmp_path, "SELECT action, subject FROM audit_log") == [("zalo.link", LAN_PHONE)]
    # The spent code links nothing else, and the number takes no second account.
    assert await zalo.say(OTHER_ZALO, code) == "Hãy gửi số điện thoại của bạn trước, rồi gõ mã."
    assert await zalo.say(OTHER_ZALO, LAN_PHONE) == (
        "Số 0912000001 đã liên kết với một tài khoản Zalo khác. Vui lòng liên hệ lãnh đạo đơn vị."
    )
    assert gateway.pending_mt() == []  # no SMS for that


async def test_an_expired_code_links_nothing(
    kannel_zalo: tuple[ZaloBot, KannelGateway], clock: Clock, tmp_path: Path
) -> None:
    zalo, gateway = kannel_zalo
    await zalo.say(STRANGER_ZALO, LAN_PHONE)
    code = code_in((await gateway.wait_mt(to=LAN_NETWORK)).text)
    clock.now = NOW + timedelta(minutes=10, seconds=1)
    assert await zalo.say(STRANGER_ZALO, code) == (
        "Mã đã hết hạn (mã dùng được 10 phút). Hãy gửi lại số điện thoại để nhận mã mới."
    )
    assert rows(tmp_path, "SELECT count(*) FROM zalo_links") == [(0,)]


async def test_five_wrong_codes_block_the_number_for_an_hour(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    lead = await services.repo.member_by_phone("0913000001")
    assert lead is not None
    async with running_zalo(services) as zalo:  # no SMS gateway: the lead issues the code
        assert await zalo.say(STRANGER_ZALO, LAN_PHONE) == (
            "Bot chưa gửi được SMS. Hãy nhờ lãnh đạo đơn vị gõ /malienket <số của bạn> để cấp "
            "mã, rồi gửi số điện thoại của bạn vào đây lần nữa."
        )
        issued = await run_text(services, lead, f"/malienket {LAN_PHONE}", Channel.CONSOLE, "c1")
        code = code_in(issued.text)
        assert issued.text == (
            f"Mã liên kết Zalo cho Nguyễn Thị Lan (0912000001): {code}, dùng được đến 10:10. "
            "Hãy chuyển mã cho người đó: họ gửi số điện thoại rồi gõ mã này vào bot Zalo."
        )
        assert await zalo.say(STRANGER_ZALO, LAN_PHONE) == (
            "Hãy gõ mã 6 số mà lãnh đạo đơn vị đã đưa cho bạn."
        )
        for _ in range(4):
            assert await zalo.say(STRANGER_ZALO, wrong_code(code)) == WRONG
        blocked = "Số này đã nhập sai mã quá 5 lần nên bị khóa đến 11:00. Vui lòng thử lại sau."
        assert await zalo.say(STRANGER_ZALO, wrong_code(code)) == blocked
        assert (
            await zalo.say(STRANGER_ZALO, code) == "Hãy gửi số điện thoại của bạn trước, rồi gõ mã."
        )
        assert await zalo.say(STRANGER_ZALO, LAN_PHONE) == blocked
        clock.now = NOW + timedelta(hours=1, minutes=1)
        again = await run_text(services, lead, f"/malienket {LAN_PHONE}", Channel.CONSOLE, "c2")
        await zalo.say(STRANGER_ZALO, LAN_PHONE)
        assert await zalo.say(STRANGER_ZALO, code_in(again.text)) == LINKED
    assert rows(tmp_path, "SELECT action, subject FROM audit_log ORDER BY id") == [
        ("zalo.link_code", LAN_PHONE),
        ("zalo.link_code", LAN_PHONE),
        ("zalo.link", LAN_PHONE),
    ]


async def test_only_a_lead_of_the_unit_issues_codes(services: Services) -> None:
    officer = await services.repo.member_by_phone("0912000002")
    lead = await services.repo.member_by_phone("0913000001")
    assert officer is not None and lead is not None
    refused = await run_text(services, officer, f"/malienket {LAN_PHONE}", Channel.CONSOLE, "c1")
    assert refused.text == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    usage = await run_text(services, lead, "/malienket", Channel.CONSOLE, "c2")
    assert usage.text == "Cách dùng: /malienket <số điện thoại>, ví dụ /malienket 0912000001."
    assert await services.repo.link_code(LAN_PHONE) is None


async def test_strangers_numbers_and_groups(services: Services) -> None:
    async with running_zalo(services) as zalo:
        assert await zalo.say(STRANGER_ZALO, "0987654321") == (
            "Số 0987654321 không có trong danh sách cán bộ, đại lý thu. "
            "Vui lòng liên hệ lãnh đạo đơn vị."
        )
        assert await zalo.say(STRANGER_ZALO, "123456") == (
            "Hãy gửi số điện thoại của bạn trước, rồi gõ mã."
        )
        since = zalo.server.mark()
        zalo.server.push_text(STRANGER_ZALO, "/bxh", chat="g-1")  # a stranger in a group
        await zalo.say(STRANGER_ZALO, "ping")  # the private answer comes after it
        assert zalo.server.texts_to("g-1", since) == []
