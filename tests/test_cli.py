"""The operator CLI as an operator runs it: `python bot.py ...` in a subprocess."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.cli import bot, rows, staffed

STAFF_CSV = (
    "unit,name,phone,role\r\n"
    "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành,"
    "Nguyễn Thị Lan,+84 912 000 001,officer\r\n"
    "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành,Trần Minh Đức,84913000001,lead\r\n"
)


def test_import_staff_with_bom_then_quotas_then_console_session(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_bytes(b"\xef\xbb\xbf" + STAFF_CSV.encode())
    (tmp_path / "quotas.csv").write_text(
        "target_kind,target,program,period,quota\n"
        "member,0912000001,TN,2026-11,10\n"
        "unit,BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành,TN,2026,500\n",
        encoding="utf-8",
    )
    staff = bot(tmp_path, "import-staff", "staff.csv")
    assert staff.returncode == 0, staff.stderr
    assert "Đã nhập 2 cán bộ" in staff.stdout
    assert rows(tmp_path, "SELECT phone, role FROM members ORDER BY phone") == [
        ("0912000001", "officer"),
        ("0913000001", "lead"),
    ]
    quotas = bot(tmp_path, "import-quotas", "quotas.csv")
    assert quotas.returncode == 0, quotas.stderr

    session = bot(
        tmp_path, "console", "--phone", "+84912000001", stdin="/ghi TN 3\n/tiendo\n/huy\n"
    )
    assert session.returncode == 0, session.stderr
    assert "Xin chào Nguyễn Thị Lan!" in session.stdout
    assert "Đã ghi 3 người tham gia BHXH tự nguyện" in session.stdout
    assert "BHXH tự nguyện: 3/10 (30,00%)" in session.stdout
    assert "Đã hủy bản ghi 3 người tham gia BHXH tự nguyện" in session.stdout
    assert rows(tmp_path, "SELECT count, channel, state FROM entries") == [(3, "console", "voided")]


def test_a_bad_row_is_reported_by_line_and_nothing_is_stored(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(
        STAFF_CSV + "\nBHXH tỉnh Thanh Hóa,Lê Văn A,0241234567,officer\nX,Y,0912000009,boss\n",
        encoding="utf-8",
    )
    result = bot(tmp_path, "import-staff", "staff.csv")
    assert result.returncode == 1
    assert 'dòng 5: số điện thoại "0241234567" không hợp lệ' in result.stderr
    assert 'dòng 6: vai trò "boss" không hợp lệ' in result.stderr
    assert rows(tmp_path, "SELECT count(*) FROM members") == [(0,)]


def test_quota_for_an_unknown_member_rejects_the_whole_file(tmp_path: Path) -> None:
    staffed(tmp_path, STAFF_CSV)
    (tmp_path / "quotas.csv").write_text(
        "target_kind,target,program,period,quota\n"
        "member,0912000001,TN,2026,120\n"
        "member,0987654321,TN,2026,120\n",
        encoding="utf-8",
    )
    result = bot(tmp_path, "import-quotas", "quotas.csv")
    assert result.returncode == 1
    assert "dòng 3: không có cán bộ với số 0987654321" in result.stderr
    assert rows(tmp_path, "SELECT count(*) FROM quotas") == [(0,)]


def test_console_refuses_an_unknown_number(tmp_path: Path) -> None:
    result = bot(tmp_path, "console", "--phone", "0999999999", stdin="/ghi TN 1\n")
    assert result.returncode == 2
    assert "Không có cán bộ với số 0999999999" in result.stderr


def test_demo_fills_once_and_opens_a_vietnamese_console(tmp_path: Path) -> None:
    first = bot(tmp_path, "demo", stdin="/tiendo năm\n")
    assert first.returncode == 0, first.stderr
    assert "Đã tạo tổ chức mẫu" in first.stdout
    assert "Tiến độ năm 2026" in first.stdout or "Tiến độ Năm" in first.stdout
    members = rows(tmp_path, "SELECT count(*) FROM members")[0][0]
    entries = rows(tmp_path, "SELECT count(*) FROM entries")[0][0]
    assert isinstance(members, int) and members >= 15
    assert isinstance(entries, int) and entries > 100
    second = bot(tmp_path, "demo", stdin="")
    assert "Đã tạo tổ chức mẫu" not in second.stdout
    assert rows(tmp_path, "SELECT count(*) FROM entries")[0][0] == entries


def test_backup_writes_a_consistent_copy(tmp_path: Path) -> None:
    assert bot(tmp_path, "demo", stdin="").returncode == 0
    result = bot(tmp_path, "backup", str(tmp_path / "copy.db"))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = copy.execute("SELECT count(*) FROM entries").fetchone()
    assert copied == tuple(rows(tmp_path, "SELECT count(*) FROM entries")[0])
