"""Issue 11: every input named there gets a polite reply, never the apology, and a refused
input changes nothing (the database dump is the same before and after)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from commands.context import Services
from storage.repository import QuotaRow
from storage.sqlite import SQLiteRepository
from tests.conftest import NOW
from tests.support.cli import ROOT, cli_env, rows, staffed
from tests.support.db import rows as db_rows
from tests.support.dump import dump
from tests.support.members import reply_text
from tracker.models import Channel, TargetKind

STAFF_CSV = (
    "unit,name,phone,role\n"
    "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành,"
    "Nguyễn Thị Lan,0912000001,officer\n"
    "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành,Trần Minh Đức,0913000001,lead\n"
)
LAN, LEAD = "0912000001", "0913000001"  # an officer, and the lead of her district
APOLOGY = "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút."
WALL = "9" * 5000  # past Python's int() digit limit (4,300)

UNKNOWN = "Xin lỗi, tôi chưa hiểu lệnh này. Gõ /trogiup để xem các lệnh."
REJECT_USAGE = "Cách từ chối: /tuchoi <số bản ghi> [lý do]."
APPROVE_USAGE = "Cách duyệt: /duyet để xem danh sách, /duyet <số bản ghi> để xác nhận."
TERM_USAGE = "Cách ghi phương thức đóng: /kyhan <số bản ghi> <số tháng>, ví dụ /kyhan 12 6"


def out_of_range(given: str) -> str:
    return (
        f'Kỳ "{given}" nằm ngoài các năm 2000\u20132100: hãy dùng tuần, tháng, quý, năm'
        " hoặc ví dụ 2026-11."
    )


@pytest.mark.parametrize(
    ("phone", "text", "expected"),
    [
        (LAN, "/", UNKNOWN),
        (LEAD, "/", UNKNOWN),
        (LEAD, "/tuchoi 1_000", REJECT_USAGE),
        (LEAD, "/tuchoi 7*7", REJECT_USAGE),
        (LEAD, "/tuchoi 9223372036854775808 sai", REJECT_USAGE),
        (LEAD, f"/tuchoi {WALL}", REJECT_USAGE),
        (LEAD, "/duyet 9223372036854775808", APPROVE_USAGE),
        (LEAD, f"/duyet {WALL}", APPROVE_USAGE),
        (LAN, "/kyhan 9223372036854775808 12", TERM_USAGE),
        (LAN, f"/kyhan {WALL} 12", TERM_USAGE),
        (
            LAN,
            f"/kyhan 1 {WALL}",
            'Phương thức đóng "9999999999999999999…" không hợp lệ:'
            " chọn 1, 3, 6, 12, 24, 36, 48, 60 tháng.",
        ),
        (
            LAN,
            f"/ghi TN {WALL}",
            "Mã người tham gia phải có 10 chữ số (mã số BHXH) hoặc 12 chữ số"
            " (số định danh cá nhân),"
            " không phải 5.000 chữ số.",
        ),
        (
            LAN,
            "/ghi TN 999999",
            'Số người "999999" không hợp lệ: hãy nhập từ 1 đến 50.',
        ),
        # found by the fuzz suite in later features: a confirmation, a page, a month number
        (LAN, f"XACNHAN {WALL}", UNKNOWN),
        (
            LAN,
            f"/tiendo tháng {WALL}",
            'Không hiểu kỳ "thang 9999999999999…": hãy gõ ví dụ tháng 10, tháng 10/2026, T10,'
            " quý 4, tuần này, tháng trước, năm nay hoặc 2026-11.",
        ),
        (LAN, "/bxh 9999-W52", out_of_range("9999-W52")),
        (LEAD, "/bxh 9999-W52", out_of_range("9999-W52")),
        (LAN, "/bxh 0001-W01", out_of_range("0001-W01")),
        (LAN, "/tiendo 9999", out_of_range("9999")),
        (LAN, "/tiendo 1999", out_of_range("1999")),
        (LAN, "/bieudo 2101-Q1", out_of_range("2101-Q1")),
        (LEAD, "/xuat 9999", out_of_range("9999")),
        (LEAD, "/donvi 0001-01", out_of_range("0001-01")),
        (  # found by the nightly fuzz profile: a year word numbered like a month
            LEAD,
            "/donvi n 10/9999",
            'Không hiểu kỳ "10/9999": hãy gõ ví dụ tháng 10, tháng 10/2026, T10,'
            " quý 4, tuần này, tháng trước, năm nay hoặc 2026-11.",
        ),
        (LEAD, "/chitieu 0912000001 TN 0001 5", out_of_range("0001")),
        (
            LAN,
            "/ghi TN 2 29/11/1926",
            'Ngày "29/11/1926" nằm ngoài các năm 2000\u20132100: hãy viết dd/mm, ví dụ 20/11.',
        ),
    ],
    ids=lambda value: str(value)[:24],
)
async def test_each_named_crash_input_is_answered_and_changes_nothing(
    services: Services, tmp_path: Path, phone: str, text: str, expected: str
) -> None:
    before = dump(tmp_path / "quota.db")
    assert await reply_text(services, phone, text) == expected
    assert dump(tmp_path / "quota.db") == before


async def test_a_wall_of_digits_as_a_page_number_is_the_first_page(services: Services) -> None:
    assert await reply_text(services, LEAD, f"/duyet trang {WALL}") == (
        "Không có bản ghi nào đang chờ duyệt."
    )


async def test_out_of_range_reply_in_english_and_as_plain_sms(services: Services) -> None:
    await reply_text(services, LAN, "/ngonngu en")
    assert await reply_text(services, LAN, "/tiendo 9999") == (
        'Period "9999" is outside the years 2000\u20132100: use week, month, quarter, year'
        " or e.g. 2026-11."
    )
    assert await reply_text(services, LAN, "TD 9999", Channel.SMS) == (
        'Period "9999" is outside the years 2000-2100: use week, month, quarter, year'
        " or e.g. 2026-11."
    )
    await reply_text(services, LAN, "/ngonngu vi")
    assert await reply_text(services, LAN, "TD 9999", Channel.SMS) == (
        'Ky "9999" nam ngoai cac nam 2000-2100: hay dung tuan, thang, quy, nam hoac vi du 2026-11.'
    )


async def test_a_far_period_never_poisons_the_boards(services: Services, tmp_path: Path) -> None:
    """`/bxh 0001-W01` once materialised the key `1-W01`; after the next quota change
    every /bxh, /donvi, /xuat and /hoso of the organisation failed."""
    assert await reply_text(services, LAN, "/bxh 0001-W01") == out_of_range("0001-W01")
    await services.repo.import_quotas([QuotaRow(0, TargetKind.MEMBER, LAN, "TN", "2026", 130)], NOW)
    replies = {
        (phone, text): await reply_text(services, phone, text)
        for phone, text in [
            (LAN, "/bxh"),
            (LAN, "BXH 1_000 \u2028 29/11/1926"),
            (LAN, "bxh 0912000001 \u00a029/11/-1"),
            (LAN, "/bxh %x%x%x{{7*7}}"),
            (LEAD, "/bxh"),
            (LEAD, "/donvi"),
            (LEAD, "/xuat"),
            (LEAD, "/hoso 0912000001"),
        ]
    }
    assert APOLOGY not in replies.values()
    board = replies[LAN, "/bxh"]
    assert board.startswith(
        "🏆 Xếp hạng tháng 11/2026 · Phường Hạc Thành (BHXH tự nguyện + BHYT hộ gia đình)"
    )
    # Junk after BXH is ignored, as any word that is not a period or program.
    assert replies[LAN, "BXH 1_000 \u2028 29/11/1926"] == board
    assert replies[LAN, "bxh 0912000001 \u00a029/11/-1"] == board
    assert replies[LAN, "/bxh %x%x%x{{7*7}}"] == board
    assert replies[LEAD, "/bxh"].startswith("🏆 Xếp hạng tháng 11/2026 · BHXH cơ sở Hạc Thành")
    assert replies[LEAD, "/donvi"].startswith("🏢 Xếp hạng đơn vị tháng 11/2026")
    assert replies[LEAD, "/xuat"].startswith("📎 Báo cáo tiến độ tháng 11/2026")
    assert replies[LEAD, "/hoso 0912000001"].startswith(
        "📎 Hồ sơ thi đua năm 2026 của Nguyễn Thị Lan"
    )
    keys = [key for (key,) in db_rows(tmp_path, "SELECT period_key FROM target_periods")]
    assert keys and all(len(key) >= 4 and "2000" <= key[:4] <= "2100" for key in keys)


async def test_text_that_is_not_unicode_is_stored_with_replacement_characters(
    services: Services, tmp_path: Path
) -> None:
    """What a console under LC_ALL=C makes of bytes that are not UTF-8: lone surrogates."""
    text = "/sangkien 0912000001 s\udcff\udcfeng ki\udce1n"
    reply = await reply_text(services, LEAD, text)
    assert reply == "✅ Đã ghi sáng kiến năm 2026 cho Nguyễn Thị Lan."
    notes = db_rows(tmp_path, "SELECT note FROM initiatives")
    assert notes == [("s\ufffd\ufffdng ki\ufffdn",)]


def test_sangkien_with_bytes_that_are_not_utf8_on_a_console_under_lc_all_c(
    tmp_path: Path,
) -> None:
    """The console as an operator runs it in a bare locale: stdin is read with
    `surrogateescape`, and the note reached SQLite with lone surrogates in it."""
    staffed(tmp_path, STAFF_CSV)
    stdin = b"/sangkien 0912000001 s\xff\xfeng ki\xe1n\n/nhatky\n"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "console", "--phone", LEAD],
        input=stdin,
        capture_output=True,
        env={**cli_env(tmp_path), "LC_ALL": "C", "LANG": "C"},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    out = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0, result.stderr
    assert "✅ Đã ghi sáng kiến năm" in out and "cho Nguyễn Thị Lan." in out
    assert "Xin lỗi, đã có lỗi xảy ra" not in out
    assert b"Traceback" not in result.stderr
    assert rows(tmp_path, "SELECT note FROM initiatives") == [("s\ufffd\ufffdng ki\ufffdn",)]


async def test_migration_0020_drops_keys_that_do_not_parse_back(tmp_path: Path) -> None:
    """A database poisoned before the fix: the board cache holds `1-W01`, a quota `1`."""
    path = tmp_path / "old.db"
    repository = await SQLiteRepository.open(path)
    await repository.close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM schema_migrations WHERE number = 20")
        db.executemany("INSERT INTO target_periods VALUES (?)", [("1-W01",), ("2026-11",)])
        db.execute(
            "INSERT INTO quotas (target_kind, target_id, program, period_key, value, updated_at)"
            " VALUES ('unit', 1, 'TN', '1', 5, 'x'), ('unit', 1, 'TN', '2026', 120, 'x')"
        )
    db.close()
    repository = await SQLiteRepository.open(path)
    await repository.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT period_key FROM target_periods").fetchall() == [("2026-11",)]
        assert db.execute("SELECT period_key FROM quotas").fetchall() == [("2026",)]
    db.close()
