"""`/xuat` (`/export`): the .xlsx and .csv read back cell by cell; formulas neutralised."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from commands.context import Services
from commands.export import ProgressRow, build_csv, build_xlsx
from commands.export_participants import participant_headers
from commands.spreadsheet import neutralise
from locales import Translator
from storage.repository import StaffRow
from tests.conftest import OFFICE
from tests.support.members import say
from tracker.models import Role

COMMUNE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"
POST_OFFICE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Bưu điện Hạc Thành"
TN, YT = "BHXH tự nguyện", "BHYT hộ gia đình"  # programs named in full, as reports do
HEADERS = ("Họ và tên", "Số điện thoại", "Đơn vị", "Đã đạt", "Chỉ tiêu", "Tỷ lệ hoàn thành (%)")


def rows_of(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}


def test_neutralise_formula_starts() -> None:
    for text in ("=1+1", "+84", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Nguyễn Thị Lan") == "Nguyễn Thị Lan"
    assert neutralise("") == ""


def test_workbook_and_csv_keep_text_as_text() -> None:
    evil = ProgressRow('=HYPERLINK("http://x","y")', "0912000001", "@Tổ 1", 3, None, None)
    good = ProgressRow("Lan", "0912000002", "Tổ 2", 7, 9, 7_777)
    content = build_xlsx([evil, good], [("TN", [good])])
    workbook = load_workbook(io.BytesIO(content))
    summary = workbook["Tổng hợp"]
    assert summary["A2"].value == '\'=HYPERLINK("http://x","y")'
    assert summary["A2"].data_type == "s"
    assert summary["C2"].value == "'@Tổ 1"
    assert summary["E2"].value is None and summary["F2"].value is None
    assert summary["F3"].value == 77.77 and summary["F3"].data_type == "n"
    assert summary["F3"].number_format == "0.00"
    assert workbook.sheetnames == ["Tổng hợp", "TN"]
    text = build_csv([evil, good], [("TN", [good])]).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["Loại hình", *HEADERS]
    assert parsed[1] == ["TN", "Lan", "0912000002", "Tổ 2", "7", "9", "77,77%"]
    assert parsed[2] == [
        "Tất cả",
        '\'=HYPERLINK("http://x","y")',
        "0912000001",
        "'@Tổ 1",
        "3",
        "",
        "",
    ]


async def test_export_of_the_leads_subtree(services: Services) -> None:
    await services.repo.import_staff(
        [
            StaffRow(6, COMMUNE, "=cmd|' /C calc'!A0", "0912000009", Role.OFFICER),
            StaffRow(7, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn", "Đỗ Thị Mai", "0914000002",
                     Role.OFFICER),
        ]
    )  # fmt: skip
    await say(services, "0912000001", "/ghi TN 5")
    await say(services, "0912000001", "/ghi YT 3")
    await say(services, "0912000003", "YT 25")
    await say(services, "0912000009", "TN 1")
    # A plan for participants in total: a column of its own (no count to compare yet).
    await say(services, "0913000001", "/chitieu BHXH cơ sở Hạc Thành TN 2026 1200 tong")
    reply = await say(services, "0913000001", "/xuat thang")
    assert reply.text == (
        "📎 Báo cáo tiến độ tháng 11/2026 · BHXH cơ sở Hạc Thành: 4 người (tệp .xlsx và .csv)."
    )
    xlsx, csv_file, participants = reply.attachments
    assert (xlsx.filename, csv_file.filename, participants.filename) == (
        "bao-cao-tien-do-2026-11.xlsx",
        "bao-cao-tien-do-2026-11.csv",
        "nguoi-tham-gia-2026-11.csv",
    )
    assert not xlsx.is_image and not csv_file.is_image
    sheets = rows_of(xlsx.content)
    assert list(sheets) == [
        "Tổng hợp",
        "BHXH tự nguyện",
        "BHYT hộ gia đình",
        "Đơn vị",
        "Người tham gia",
    ]
    # A row per unit and program, named in full: no unit plan here, so the members'
    # targets added up; Hoa's 25 YT count for the post office where she logged them.
    office = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành"
    members = "tổng chỉ tiêu cá nhân"
    assert sheets["Đơn vị"][:5] == [
        (
            "Đơn vị",
            "Loại hình",
            "Đã đạt",
            "Chỉ tiêu",
            "Căn cứ chỉ tiêu",
            "Tổng chỉ tiêu cá nhân",
            "Tỷ lệ hoàn thành (%)",
        ),
        (office, TN, 6, 30, members, 30, 20),
        (office, YT, 28, 60, members, 60, 46.66),
        (POST_OFFICE, TN, 0, 10, members, 10, 0),
        (POST_OFFICE, YT, 25, 20, members, 20, 125),
    ]
    # The office and the units right under it; no official count imported yet.
    assert sheets["Người tham gia"] == [
        participant_headers(Translator()),
        (OFFICE, TN, None, "2026-11-23", None, None, None, 6, 0, 0, 0, 0, 0, None, 1200, None),
        (OFFICE, YT, None, "2026-11-23", None, None, None, 28, 0, 0, 0, 0, 0, None, None, None),
        (
            POST_OFFICE,
            TN,
            None,
            "2026-11-23",
            None,
            None,
            None,
            0,
            0,
            0,
            0,
            0,
            0,
            None,
            None,
            None,
        ),
        (
            POST_OFFICE,
            YT,
            None,
            "2026-11-23",
            None,
            None,
            None,
            25,
            0,
            0,
            0,
            0,
            0,
            None,
            None,
            None,
        ),
        (COMMUNE, TN, None, "2026-11-23", None, None, None, 6, 0, 0, 0, 0, 0, None, None, None),
        (COMMUNE, YT, None, "2026-11-23", None, None, None, 3, 0, 0, 0, 0, 0, None, None, None),
    ]
    table = list(csv.reader(io.StringIO(participants.content.decode("utf-8-sig"))))
    assert table[0] == list(participant_headers(Translator()))
    assert table[1] == [
        OFFICE,
        TN,
        "",
        "2026-11-23",
        "",
        "",
        "",
        "6",
        "0",
        "0",
        "0",
        "0",
        "0",
        "",
        "1200",
        "",
    ]
    # Monthly targets derive from the yearly 120 (TN) and 240 (YT): 10 and 20 in November.
    assert sheets["BHXH tự nguyện"] == [
        HEADERS,
        ("Nguyễn Thị Lan", "0912000001", COMMUNE, 5, 10, 50),
        ("Phạm Văn Nam", "0912000002", COMMUNE, 0, 10, 0),
        ("Vũ Thị Hoa", "0912000003", POST_OFFICE, 0, 10, 0),
        ("'=cmd|' /C calc'!A0", "0912000009", COMMUNE, 1, None, None),
    ]
    assert sheets["BHYT hộ gia đình"][1] == ("Vũ Thị Hoa", "0912000003", POST_OFFICE, 25, 20, 125)
    assert sheets["Tổng hợp"][1:] == [
        ("Vũ Thị Hoa", "0912000003", POST_OFFICE, 25, 30, 83.33),
        ("Nguyễn Thị Lan", "0912000001", COMMUNE, 8, 30, 26.66),
        ("Phạm Văn Nam", "0912000002", COMMUNE, 0, 30, 0),
        ("'=cmd|' /C calc'!A0", "0912000009", COMMUNE, 1, None, None),
    ]
    assert "Đỗ Thị Mai" not in csv_file.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 3 * 4
    assert lines[1] == [
        "BHXH tự nguyện", "Nguyễn Thị Lan", "0912000001", COMMUNE, "5", "10", "50,00%"
    ]  # fmt: skip
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    # In English, the same columns name the programs in English.
    await say(services, "0913000001", "/lang en")
    english = await say(services, "0913000001", "/export month")
    sheets = rows_of(english.attachments[0].content)
    assert [row[1] for row in sheets["Units"][1:3]] == [
        "Voluntary social insurance",
        "Household health insurance",
    ]
    assert [row[1] for row in sheets["Participants"][1:3]] == [
        "Voluntary social insurance",
        "Household health insurance",
    ]
    table = list(csv.reader(io.StringIO(english.attachments[2].content.decode("utf-8-sig"))))
    assert table[1][:2] == [OFFICE, "Voluntary social insurance"]


async def test_admin_exports_everything_and_bad_period_is_refused(services: Services) -> None:
    await services.repo.import_staff(
        [StaffRow(6, "BHXH tỉnh Nghệ An", "Hồ Văn Admin", "0915000001", Role.ADMIN)]
    )
    reply = await say(services, "0915000001", "/export 2026")
    assert "năm 2026 · BHXH tỉnh Nghệ An, BHXH tỉnh Thanh Hóa: 3 người" in reply.text
    names = [row[0] for row in rows_of(reply.attachments[0].content)["BHXH tự nguyện"][1:]]
    assert "Nguyễn Thị Lan" in names
    bad = await say(services, "0913000001", "/xuat 2026-13")
    assert bad.text.startswith("Không hiểu kỳ") and bad.attachments == []
