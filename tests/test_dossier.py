"""`/hoso` (`/dossier`): the year-end dossier of one member, opened back cell by cell."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from commands.context import Services
from commands.registry import run_text
from storage.repository import StaffRow
from tests.conftest import COMMUNE, OFFICE
from tests.support.members import member
from tracker.models import Channel, Member, NewEntry, Role
from tracker.participants import HashedParticipant

SAM_SON_LEAD = StaffRow(9, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn", "Lê Văn Sơn",
                        "0916000001", Role.LEAD)  # fmt: skip


async def log(
    services: Services, who: Member, program: str, day: date, n: int, term: int | None = None
) -> None:
    entry = NewEntry(
        who.id, who.unit_id, program, day, n, Channel.CONSOLE,
        datetime(day.year, day.month, day.day, 3, tzinfo=UTC),
    )  # fmt: skip
    await services.repo.add_detailed_entry(entry, HashedParticipant(None, None, term, None))


async def test_dossier_of_an_officer_cell_by_cell(services: Services) -> None:
    await services.repo.import_staff([SAM_SON_LEAD])
    lan, nam = await member(services, "0912000001"), await member(services, "0912000002")
    lead = await member(services, "0913000001")
    await log(services, lan, "TN", date(2026, 2, 10), 5)
    await log(services, nam, "TN", date(2026, 2, 11), 8)
    await log(services, lan, "TN", date(2026, 5, 5), 10)
    await log(services, lan, "YT", date(2026, 11, 2), 20)
    await log(services, lan, "TN", date(2026, 11, 20), 3, term=12)
    await log(services, nam, "TN", date(2026, 11, 21), 1)

    reply = await run_text(services, lead, "/hoso 0912 000 001", Channel.CONSOLE, None)
    assert reply.text == (
        "📎 Hồ sơ thi đua năm 2026 của Nguyễn Thị Lan (0912000001):"
        " kết quả theo quý, thứ hạng, huy hiệu và mức thi đua."
    )
    [attachment] = reply.attachments
    assert attachment.filename == "ho-so-thi-dua-2026-0912000001.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.content))["Hồ sơ thi đua"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = len(cells[0])

    def row(*values: object) -> list[object]:
        return [*values, *([None] * (width - len(values)))]

    assert cells[:8] == [
        row("Hồ sơ thi đua năm 2026"),
        row("Họ và tên", "Nguyễn Thị Lan"),
        row("Số điện thoại", "0912000001"),
        row("Đơn vị", COMMUNE),
        row(),
        row("Kết quả theo quý"),
        row(
            "Quý",
            "Loại hình",
            "Đã đạt",
            "Chỉ tiêu",
            "Tỷ lệ hoàn thành (%)",
            "Hạng trong đơn vị",
            "Số người xếp hạng",
        ),
        # Q1: yearly 120 pro rata 90/365 = 29.6 -> 30; Nam's 8 beat Lan's 5
        row("2026-Q1", "TN", 5, 30, 16.66, 2, 2),
    ]
    quarters = {(line[0], line[1]): line[2:7] for line in cells[7:19]}
    assert quarters[("2026-Q1", "YT")] == [0, 59, 0, 1, 2]  # 240 * 90/365 = 59.2; a tie
    assert quarters[("2026-Q1", "Tất cả")] == [5, 89, 5.61, 2, 2]
    assert quarters[("2026-Q2", "TN")] == [10, 30, 33.33, 1, 2]
    assert quarters[("2026-Q3", "TN")] == [0, 30, 0, 1, 2]  # nobody logged: both first
    assert quarters[("2026-Q4", "TN")] == [3, 30, 10, 1, 2]
    assert quarters[("2026-Q4", "YT")] == [20, 60, 33.33, 1, 2]
    assert quarters[("2026-Q4", "Tất cả")] == [23, 90, 25.55, 1, 2]
    assert len(quarters) == 12

    badges_at = cells.index(row("Huy hiệu"))
    assert cells[badges_at + 1] == row("Huy hiệu", "Số lần", "Lần gần nhất", "Chi tiết")
    badges = {line[0]: line[1:4] for line in cells[badges_at + 2 :] if line[0] and line[1]}
    assert badges["Người tham gia đầu tiên"] == [1, "10/02/2026", None]
    assert badges["Câu lạc bộ 10+"][0] >= 1

    emulation_at = cells.index(row("Thi đua"))
    assert [line[:2] for line in cells[emulation_at + 1 :]] == [
        # TN 5 + 10 + 3 x 1.3 (12-month term) = 18.9 of 120 = 15.75%, YT 20 of 240 = 8.33%;
        # 0.6 x 15.75 + 0.4 x 8.33 = 12.78; by 31/12 at this pace x 365/327 = 14.27
        ["Điểm thi đua (%)", 12],
        ["Mức hiện tại", "Không hoàn thành nhiệm vụ"],
        ["Điểm dự kiến cuối năm (%)", 14],
        ["Mức dự kiến cuối năm", "Không hoàn thành nhiệm vụ"],
    ]


async def test_who_may_ask_for_a_dossier(services: Services) -> None:
    await services.repo.import_staff([SAM_SON_LEAD])
    lan, lead = await member(services, "0912000001"), await member(services, "0913000001")
    other_lead = await member(services, "0916000001")
    refused = await run_text(services, lan, "/hoso 0912000002", Channel.CONSOLE, None)
    assert refused.text == "Xin lỗi, vai trò của bạn không được dùng lệnh này."
    outside = await run_text(services, other_lead, "/dossier 0912000001", Channel.CONSOLE, None)
    assert outside.text == "Không có ai với số 0912000001 trong các đơn vị bạn quản lý."
    assert not outside.attachments
    usage = await run_text(services, lead, "/hoso", Channel.CONSOLE, None)
    assert usage.text.startswith("Cách dùng: /hoso <số điện thoại cán bộ>")
    unknown = await run_text(services, lead, "/hoso 0999999999", Channel.CONSOLE, None)
    assert unknown.text == "Không có ai với số 0999999999 trong các đơn vị bạn quản lý."
    assert OFFICE in (await services.repo.unit(lead.unit_id)).path
