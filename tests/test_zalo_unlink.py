"""Unlinking Zalo: a person unlinks their own account (`/huyzalo`, `/unlinkzalo`); a lead
resets the link of a member of their subtree (`/huyzalo <phone>`), and the member is told
on the channel they still use. Every unlink is audited; nobody else can do it."""

from __future__ import annotations

from channels.sms_sender import FunctionSender
from commands.context import Services
from commands.registry import run_text
from storage.repository import StaffRow
from tests.conftest import NOW, POST_OFFICE
from tests.support.zalo import running_zalo
from tracker.models import Channel, Member, Role

LAN, NAM, LEAD = "u-lan", "u-nam", "u-duc"


async def linked(services: Services, phone: str, zalo_user: str) -> Member:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    assert await services.repo.link_zalo(member.id, zalo_user, phone, NOW)
    return member


async def audit_rows(services: Services) -> list[tuple[str, str, str | None, str | None]]:
    rows = await services.repo._all(  # type: ignore[attr-defined]
        "SELECT action, subject, before, after FROM audit_log WHERE action = 'zalo.unlink'"
        " ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def test_a_person_unlinks_their_own_zalo_account(services: Services) -> None:
    lan = await linked(services, "0912000001", LAN)
    async with running_zalo(services) as zalo:
        assert await zalo.say(LAN, "/huyzalo") == (
            "✅ Đã gỡ liên kết Zalo của bạn. Muốn liên kết lại, hãy nhắn số điện thoại"
            " của bạn cho bot Zalo."
        )
        # The account is a stranger now: it is asked for a number, and logs nothing.
        assert (await zalo.say(LAN, "TN 1")).startswith("Xin chào! Để dùng bot trên Zalo")
        assert await zalo.say(LAN, "/huyzalo") == (
            "Xin chào! Để dùng bot trên Zalo, hãy gửi số điện thoại di động của bạn (số có"
            " trong danh sách cán bộ, đại lý thu). Bot sẽ nhắn mã 6 số qua SMS tới số đó"
            " để xác nhận."
        )
    assert await services.repo.zalo_user_of(lan.id) is None
    assert await services.repo._all("SELECT id FROM entries") == []  # type: ignore[attr-defined]
    assert await audit_rows(services) == [("zalo.unlink", "0912000001", "zalo:u-lan", None)]
    # Asked again from another channel: nothing left to unlink, nothing audited.
    reply = await run_text(services, lan, "/huyzalo", Channel.SMS, "sms:1")
    assert reply.text == "Ban chua lien ket tai khoan Zalo nao, khong co gi de go."
    assert len(await audit_rows(services)) == 1


async def test_in_english_too(services: Services) -> None:
    nam = await linked(services, "0912000002", NAM)
    await services.repo.set_language(nam.id, "en")
    async with running_zalo(services) as zalo:
        assert await zalo.say(NAM, "/unlinkzalo") == (
            "✅ Your Zalo account is unlinked. To link again, send your phone number to the"
            " Zalo bot."
        )
    assert await services.repo.zalo_user_of(nam.id) is None


async def test_a_lead_resets_a_members_link_and_the_member_is_told_by_sms(
    services: Services,
) -> None:
    lan = await linked(services, "0912000001", LAN)
    await linked(services, "0913000001", LEAD)
    sms: list[tuple[str, str]] = []
    sender = FunctionSender(lambda to, text: sms.append((to, text)))
    async with running_zalo(services, sms_sender=sender) as zalo:
        assert await zalo.say(LEAD, "/huyzalo 0912000001") == (
            "✅ Đã gỡ liên kết Zalo của Nguyễn Thị Lan (0912000001). Người đó có thể liên kết"
            " lại bằng số điện thoại và mã mới."
        )
        audit = await zalo.say(LEAD, "/nhatky")
    assert await services.repo.zalo_user_of(lan.id) is None
    assert sms == [
        (
            "0912000001",
            "Lien ket Zalo cua ban voi bot da duoc Tran Minh Duc go. Muon dung lai Zalo, hay"
            " nhan so dien thoai cua ban cho bot Zalo.",
        )
    ]
    assert await audit_rows(services) == [("zalo.unlink", "0912000001", "zalo:u-lan", None)]
    assert audit.splitlines()[1] == (
        "23/11 10:00 · Trần Minh Đức · gỡ liên kết Zalo · 0912000001: zalo:u-lan → —"
    )


async def test_only_a_lead_and_only_within_their_units_may_unlink_someone_else(
    services: Services,
) -> None:
    await services.repo.import_staff(
        [StaffRow(6, POST_OFFICE, "Lê Văn Bưu", "0913000009", Role.LEAD)]
    )
    post_lead = await services.repo.member_by_phone("0913000009")
    lan = await linked(services, "0912000001", LAN)
    nam = await linked(services, "0912000002", NAM)
    assert post_lead is not None
    # An officer: not even a colleague in the same commune.
    reply = await run_text(services, lan, "/huyzalo 0912000002", Channel.TELEGRAM, "tg:1")
    assert reply.text == (
        "Chỉ lãnh đạo đơn vị mới gỡ được liên kết Zalo của người khác."
        " Gõ /huyzalo để gỡ của chính bạn."
    )
    # The post office's lead: the commune is not theirs.
    reply = await run_text(services, post_lead, "/huyzalo 0912000002", Channel.TELEGRAM, "tg:2")
    assert reply.text == "Không có ai với số 0912000002 trong các đơn vị bạn quản lý."
    reply = await run_text(services, post_lead, "/huyzalo 1 2", Channel.TELEGRAM, "tg:3")
    assert reply.text == (
        "Cách dùng: /huyzalo để gỡ liên kết Zalo của bạn; lãnh đạo: /huyzalo <số điện thoại>."
    )
    assert await services.repo.zalo_user_of(nam.id) == NAM
    assert await services.repo.zalo_user_of(lan.id) == LAN
    assert await audit_rows(services) == []
