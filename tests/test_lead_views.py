"""Lead views that work on a phone (issue 12): /nhatky one line per action in the reader's
language, files asked by SMS, /hoso outside the lead's scope."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from commands.context import Services
from storage.repository import StaffRow
from tests.support.members import say
from tracker.models import Channel, Role

LEAD, LAN = "0913000001", "0912000001"
OTHER = StaffRow(
    6, "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn / Phường Sầm Sơn", "Đỗ Thị Mai",
    "0914000002", Role.OFFICER,
)  # fmt: skip


async def test_audit_is_one_line_per_action_with_words_and_names(services: Services) -> None:
    await say(services, LEAD, "/chitieu 0912000001 TN 2026 120 chia thang")
    await say(services, LEAD, "y")
    await say(services, LEAD, "/chitieu buu dien YT 2026-Q4 90")
    await say(services, LAN, "/ghi TN 2")
    await say(services, LEAD, "/tuchoi 1 sai ngày")
    await say(services, LEAD, "/sangkien 0912000003 Mở điểm thu lưu động")
    lines = (await say(services, LEAD, "/nhatky")).text.splitlines()
    assert lines == [
        "🗂 4 thay đổi gần nhất:",
        "23/11 10:00 · Trần Minh Đức · sáng kiến · Vũ Thị Hoa · 2026: — → Mở điểm thu lưu động",
        "23/11 10:00 · Trần Minh Đức · từ chối · #1 Nguyễn Thị Lan · TN 2 (23/11/2026):"
        " chờ duyệt → từ chối: sai ngày",
        "23/11 10:00 · Trần Minh Đức · chỉ tiêu · Bưu điện Hạc Thành · YT 2026-Q4: — → 90",
        "23/11 10:00 · Trần Minh Đức · chỉ tiêu · Nguyễn Thị Lan (0912000001) · TN 2026:"
        " 120 → 120 (kèm 16 chỉ tiêu quý/tháng)",
    ]
    await say(services, LEAD, "/lang en")
    english = (await say(services, LEAD, "/audit")).text.splitlines()
    assert english[2].endswith(
        "#1 Nguyễn Thị Lan · TN 2 (23/11/2026): waiting → rejected: sai ngày"
    )
    assert english[4].endswith("120 → 120 (with 16 quarterly/monthly quotas)")


async def test_files_asked_by_sms_say_where_to_get_them(services: Services) -> None:
    for text, command in (("/xuat", "xuat"), ("/bieudo", "bieudo"), ("/hoso 0912000001", "hoso")):
        reply = await say(services, LEAD, text, Channel.SMS)
        assert reply.text == (
            f"Tep va bieu do khong gui duoc qua SMS. Hay go /{command} tren Telegram hoac Zalo."
        )
        assert reply.attachments == []
    officer = await say(services, LAN, "/bieudo", Channel.SMS)
    assert officer.text == (
        "Tep va bieu do khong gui duoc qua SMS. Hay go /bieudo tren Telegram hoac Zalo"
        " (hoac nho lanh dao don vi gui giup)."
    )
    await say(services, LAN, "/lang en")
    english = await say(services, LAN, "/bieudo", Channel.SMS)
    assert english.text == (
        "Files and charts cannot travel by SMS. Type /chart in Telegram or Zalo"
        " (or ask your unit's lead to send it)."
    )


async def test_a_dossier_outside_the_scope_says_it_is_outside(services: Services) -> None:
    await services.repo.import_staff([OTHER])
    reply = await say(services, LEAD, "/hoso 0914000002")
    # It names nothing the lead did not type (issue 11): not whose number it is.
    assert reply.text == "Không có ai với số 0914000002 trong các đơn vị bạn quản lý."
    assert reply.attachments == []


def sheets_of(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


async def test_an_english_lead_gets_english_exports_and_dossiers(services: Services) -> None:
    await say(services, LAN, "/ghi TN 2")
    await say(services, LEAD, "/lang en")
    export = await say(services, LEAD, "/export")
    xlsx, csv_file, participants = export.attachments
    assert (xlsx.filename, csv_file.filename, participants.filename) == (
        "progress-report-2026-11.xlsx",
        "progress-report-2026-11.csv",
        "participants-2026-11.csv",
    )
    sheets = sheets_of(xlsx.content)
    assert list(sheets) == [
        "Summary",
        "Voluntary social insurance",
        "Household health insurance",
        "Units",
        "Participants",
    ]
    assert sheets["Participants"][0][:4] == ("Unit", "Program", "Participants", "Date")
    header = ("Full name", "Phone", "Unit", "Achieved", "Target", "Completion (%)")
    assert sheets["Units"][0] == (
        "Unit", "Program", "Achieved", "Target", "Target from", "Personal quotas added up",
        "Completion (%)",
    )  # fmt: skip
    assert sheets["Units"][1][4] == "personal quotas added up"
    assert sheets["Voluntary social insurance"][0] == header
    assert csv_file.content.decode("utf-8-sig").splitlines()[0] == "Program," + ",".join(header)
    dossier = await say(services, LEAD, "/dossier 0912000001")
    [file] = dossier.attachments
    assert file.filename == "emulation-dossier-2026-0912000001.xlsx"
    [(title, rows)] = sheets_of(file.content).items()
    assert title == "Emulation dossier"
    labels = [row[0] for row in rows if row and row[0] is not None]
    for label in ("Emulation dossier 2026", "Full name", "Results by quarter", "Badges",
                  "Emulation", "Current level", "Projected year-end level"):  # fmt: skip
        assert label in labels
    levels = {row[0]: row[1] for row in rows if row and row[0] in ("Current level",)}
    assert str(levels["Current level"]).isascii()


async def test_an_english_lead_reads_the_summary_in_english(services: Services) -> None:
    await say(services, LEAD, "/lang en")
    lines = (await say(services, LEAD, "/summary")).text.splitlines()
    assert lines[0] == "📣 Summary of month 11/2026 (to 23/11/2026) · BHXH cơ sở Hạc Thành"
    assert lines[1] == "New enrolments against plan:"
    assert lines[-1].startswith("BHXH cơ sở Hạc Thành has no Telegram or Zalo group yet")
