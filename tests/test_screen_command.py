"""`/tv` (`/screen`): links to a unit's live board, listed, revoked and audited."""

from __future__ import annotations

import re
from pathlib import Path

from commands.context import Reply, Services
from commands.screen import screen_token_hash
from storage.repository import StaffRow
from tests.conftest import NOW
from tests.support.db import dump, rows
from tests.support.members import say
from tracker.models import Role

LEAD, LAN = "0913000001", "0912000001"
OTHER_LEAD = "0914000001"
OTHER_OFFICE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn"
LINK = re.compile(r"^http://tv\.example/tv/([A-Za-z0-9_-]{32})$")


def with_base(services: Services) -> Services:
    return Services(
        repo=services.repo,
        rules=services.rules,
        clock=services.clock,
        public_base_url="http://tv.example",
    )


def audit_rows(tmp_path: Path) -> list[tuple[object, ...]]:
    return rows(
        tmp_path,
        "SELECT actor_id, unit_id, action, subject, before, after FROM audit_log ORDER BY id",
    )


def token_of(reply: Reply) -> str:
    match = LINK.match(reply.text.splitlines()[1])
    assert match is not None, reply.text
    return match.group(1)


async def test_a_lead_gets_a_link_whose_token_is_stored_only_as_a_hash(
    services: Services, tmp_path: Path
) -> None:
    services = with_base(services)
    reply = await say(services, LEAD, "/tv")
    lines = reply.text.splitlines()
    assert lines[0] == "📺 Màn hình #1 của BHXH cơ sở Hạc Thành:"
    token = token_of(reply)
    assert lines[2].startswith("Mở liên kết trên TV của cơ quan (F11: toàn màn hình).")
    assert lines[3] == "Ai có liên kết cũng xem được, không cần đăng nhập: thu hồi bằng /tv tat."
    stored = rows(tmp_path, "SELECT id, token_hash, hint, revoked_at FROM screens")
    everything = dump(tmp_path)
    assert stored == [(1, screen_token_hash(token), token[:4], None)]
    assert token not in everything  # a copy of the database opens no screen
    lead = await services.repo.member_by_phone(LEAD)
    assert lead is not None
    assert audit_rows(tmp_path) == [
        (lead.id, lead.unit_id, "tv.create", f"#1 ({token[:4]}…)", None, "on")
    ]


async def test_each_link_is_new_and_the_english_alias_answers_in_english(
    services: Services,
) -> None:
    services = with_base(services)
    first = token_of(await say(services, LEAD, "/tv"))
    lead = await services.repo.member_by_phone(LEAD)
    assert lead is not None
    await services.repo.set_language(lead.id, "en")
    reply = await say(services, LEAD, "/screen")
    assert reply.text.splitlines()[0] == "📺 Screen #2 of BHXH cơ sở Hạc Thành:"
    assert token_of(reply) != first


async def test_only_leads_may_make_links_and_never_in_a_group(
    services: Services, tmp_path: Path
) -> None:
    refused = await say(services, LAN, "/tv")
    assert refused.text == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    in_group = await say(services, LEAD, "/tv", group=-100123)
    assert in_group.text == (
        "Liên kết màn hình là chìa khóa: hãy gõ /tv trong tin nhắn riêng với bot, không trong nhóm."
    )
    assert audit_rows(tmp_path) == []
    assert rows(tmp_path, "SELECT count(*) FROM screens") == [(0,)]


async def test_links_are_listed_and_revoked_one_by_one_and_audited(
    services: Services, tmp_path: Path
) -> None:
    services = with_base(services)
    first = token_of(await say(services, LEAD, "/tv"))
    second = token_of(await say(services, LEAD, "/tv"))
    listing = await say(services, LEAD, "/tv tắt")
    assert listing.text.splitlines() == [
        "📺 Màn hình TV đang mở của BHXH cơ sở Hạc Thành (2):",
        f"#1 ({first[:4]}…) tạo lúc 23/11/2026 10:00",
        f"#2 ({second[:4]}…) tạo lúc 23/11/2026 10:00",
        "Thu hồi một màn hình: /tv tat 1",
    ]
    revoked = await say(services, LEAD, "/tv tat 1")
    assert revoked.text == f"Đã thu hồi màn hình #1 ({first[:4]}…): trang đang mở sẽ đóng lại."
    again = await say(services, LEAD, "/tv tat 1")
    assert again.text == "Không có màn hình #1 đang mở của đơn vị. Xem danh sách: /tv tat"
    assert (await say(services, LEAD, "/tv tat")).text.splitlines()[1:2] == [
        f"#2 ({second[:4]}…) tạo lúc 23/11/2026 10:00"
    ]
    found = await services.repo.screen_by_token_hash(screen_token_hash(first))
    assert found is not None and found.revoked_at == NOW
    actions = [(row[2], row[3], row[4], row[5]) for row in audit_rows(tmp_path)]
    assert actions == [
        ("tv.create", f"#1 ({first[:4]}…)", None, "on"),
        ("tv.create", f"#2 ({second[:4]}…)", None, "on"),
        ("tv.revoke", f"#1 ({first[:4]}…)", "on", None),
    ]
    log = await say(services, LEAD, "/nhatky")
    assert "thu hồi màn hình TV" in log.text.splitlines()[1]


async def test_a_lead_cannot_revoke_another_units_link(services: Services) -> None:
    await services.repo.import_staff(
        [StaffRow(6, OTHER_OFFICE, "Lê Văn Sơn", OTHER_LEAD, Role.LEAD)]
    )
    token = token_of(await say(with_base(services), LEAD, "/tv"))
    reply = await say(services, OTHER_LEAD, "/tv tat 1")
    assert reply.text == "Không có màn hình #1 đang mở của đơn vị. Xem danh sách: /tv tat"
    assert (await say(services, OTHER_LEAD, "/tv tat")).text == (
        "BHXH cơ sở Sầm Sơn không có màn hình TV nào đang mở. Tạo mới: /tv"
    )
    found = await services.repo.screen_by_token_hash(screen_token_hash(token))
    assert found is not None and found.revoked_at is None


async def test_bad_arguments_get_the_usage_and_change_nothing(
    services: Services, tmp_path: Path
) -> None:
    usage = "Cách dùng: /tv (tạo liên kết), /tv tat (danh sách), /tv tat 3 (thu hồi màn hình #3)."
    for text in ("/tv bat", "/tv tat ba", "/tv tat 1 2", "/tv 3"):
        assert (await say(services, LEAD, text)).text == usage, text
    assert audit_rows(tmp_path) == []
