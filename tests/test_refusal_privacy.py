"""Issue 11: a refusal outside one's scope names nothing that isn't already the asker's.

The lead of Hạc Thành asks about Đỗ Thị Mai and the units of Sầm Sơn; an officer asks
about an entry of someone else. Each refusal is exact, quotes only what was typed, and
is the same whether the person or unit exists elsewhere or nowhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.context import Services
from storage.repository import StaffRow
from tests.support.dump import dump
from tests.support.members import reply_text
from tracker.models import Channel, Role

SAM_SON = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn"
EXTRA = [
    StaffRow(6, f"{SAM_SON} / Phường Sầm Sơn", "Đỗ Thị Mai", "0914000002", Role.OFFICER),
    StaffRow(7, SAM_SON, "Lê Văn Sơn", "0914000001", Role.LEAD),
]
LAN, LEAD, MAI, OTHER_LEAD = "0912000001", "0913000001", "0914000002", "0914000001"
# What the askers must not learn: the other person's name, the other units' names (a
# refusal may quote what was typed: `Sam Son`).
SECRETS = ("Mai", "Đỗ", "Sầm Sơn", "Thanh Hóa", "Lê Văn Sơn", "Nguyễn Thị Lan")

NOBODY = "Không có ai với số {} trong các đơn vị bạn quản lý."
NO_UNIT = 'Không tìm thấy đơn vị "{}" trong phạm vi của bạn.'


@pytest.fixture
async def org(services: Services) -> Services:
    """Two districts; Mai (Sầm Sơn) has logged entry #1, Lan (Hạc Thành) entry #2."""
    await services.repo.import_staff(EXTRA)
    assert (await reply_text(services, MAI, "/ghi TN 1")).startswith("✅")
    assert (await reply_text(services, LAN, "/ghi TN 1")).startswith("✅")
    return services


@pytest.mark.parametrize(
    ("phone", "text", "expected"),
    [
        (LEAD, f"/hoso {MAI}", NOBODY.format(MAI)),
        (LEAD, "/hoso 0999999999", NOBODY.format("0999999999")),  # nobody at all: same answer
        (LEAD, "/hoso +84 914 000 002", NOBODY.format(MAI)),
        (LEAD, f"/chitieu {MAI} TN 2026 5", NOBODY.format(MAI)),
        (LEAD, "/chitieu Sam Son TN 2026 5", NO_UNIT.format("Sam Son")),
        (LEAD, "/chitieu Phuong Sam Son TN 2026 5", NO_UNIT.format("Phuong Sam Son")),
        (LEAD, "/chitieu Phuong Khong Co TN 2026 5", NO_UNIT.format("Phuong Khong Co")),
        (LEAD, "/chitieu BHXH tinh Thanh Hoa TN 2026 5", NO_UNIT.format("BHXH tinh Thanh Hoa")),
        (LEAD, f"/sangkien {MAI} sáng kiến hay", NOBODY.format(MAI)),
        (LEAD, f"/denhan {MAI}", NOBODY.format(MAI)),
        (LEAD, "/donvi Sam Son", NO_UNIT.format("Sam Son")),
        (LEAD, "/duyet 1", "Không tìm thấy bản ghi #1 trong đơn vị bạn quản lý."),
        (LEAD, "/tuchoi 1 trùng", "Không tìm thấy bản ghi #1 trong đơn vị bạn quản lý."),
        (OTHER_LEAD, f"/hoso {LAN}", NOBODY.format(LAN)),
        (OTHER_LEAD, "/duyet 2", "Không tìm thấy bản ghi #2 trong đơn vị bạn quản lý."),
        (LAN, "/kyhan 1 12", "Không tìm thấy bản ghi #1 của bạn trong hôm nay."),
    ],
    ids=lambda value: str(value)[:30],
)
async def test_a_refusal_outside_ones_scope_names_nothing(
    org: Services, tmp_path: Path, phone: str, text: str, expected: str
) -> None:
    before = dump(tmp_path / "quota.db")
    reply = await reply_text(org, phone, text)
    assert reply == expected
    assert not [word for word in SECRETS if word in reply]
    assert dump(tmp_path / "quota.db") == before


async def test_the_same_refusals_in_english_and_by_sms(org: Services) -> None:
    assert await reply_text(org, LEAD, f"/denhan {MAI}", Channel.SMS) == (
        "Khong co ai voi so 0914000002 trong cac don vi ban quan ly."
    )
    await reply_text(org, LEAD, "/ngonngu en")
    assert await reply_text(org, LEAD, f"/dossier {MAI}") == (
        "Nobody with number 0914000002 in the units you manage."
    )
    assert await reply_text(org, LEAD, "/quota Sam Son TN 2026 5") == (
        'No unit "Sam Son" within your scope.'
    )


async def test_an_admin_is_told_when_a_number_is_on_no_list(org: Services) -> None:
    await org.repo.import_staff(
        [StaffRow(8, "BHXH tỉnh Thanh Hóa", "Hoàng Quốc Việt", "0915000001", Role.ADMIN)]
    )
    assert await reply_text(org, "0915000001", "/hoso 0999999999") == (
        "Không có ai với số 0999999999 trong danh sách cán bộ."
    )
    assert (await reply_text(org, "0915000001", f"/hoso {MAI}")).startswith(
        "📎 Hồ sơ thi đua năm 2026 của Đỗ Thị Mai"
    )
