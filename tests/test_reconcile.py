"""Reconciliation with collection records: the pure matching, then the operator CLI
(`python bot.py import-collections`) in a subprocess against entries logged by console."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.cli import bot as run_bot
from tests.support.cli import rows
from tracker.models import EntryState
from tracker.reconcile import CollectionRow, parse_collections, reconcile

ROOT = Path(__file__).resolve().parent.parent
SECRET = "reconcile-secret"
CODES = ("TN", "YT")


@dataclass(frozen=True)
class Logged:
    id: int
    participant_hash: str
    program: str
    day: date
    state: EntryState = EntryState.REPORTED


def row(line: int, who: str, paid: date, program: str = "TN") -> CollectionRow:
    return CollectionRow(line, who, who[-3:], program, paid, 12)


def test_nearest_entry_within_the_window_each_claimed_once() -> None:
    paid = date(2026, 11, 20)
    entries = [
        Logged(1, "h-aaa", "TN", date(2026, 9, 1)),  # 80 days before: outside the window
        Logged(2, "h-aaa", "TN", date(2026, 11, 2)),
        Logged(3, "h-aaa", "TN", date(2026, 11, 18)),  # nearest
        Logged(4, "h-bbb", "YT", date(2026, 11, 19), EntryState.CONFIRMED),
        Logged(5, "h-ccc", "TN", date(2026, 11, 20)),  # no row: unmatched
        Logged(6, "h-ddd", "TN", date(2026, 12, 30)),  # after the file's period: not listed
    ]
    rows = [
        row(2, "h-aaa", paid),
        row(3, "h-aaa", paid),  # the second payment claims the next nearest entry
        row(4, "h-aaa", paid),  # nothing left within 45 days
        row(5, "h-bbb", paid, "TN"),  # other program
        row(6, "h-bbb", date(2026, 11, 1), "YT"),
    ]
    result = reconcile(rows, entries)
    assert [(r.line, e.id) for r, e in result.matched] == [(2, 3), (3, 2), (6, 4)]
    assert [e.id for e in result.unmatched] == [5]
    assert [r.line for r in result.unclaimed] == [4, 5]
    assert (result.first, result.last) == (date(2026, 11, 1), paid)


def test_collection_file_rows_checked_by_line_codes_never_echoed() -> None:
    text = (
        "\ufeffparticipant_code,program,date_paid,term\n"
        "0123456789,TN,2026-11-20,12\n"
        "038096001234,yt,20/11/2026,6\n"
        "01234567,TN,2026-11-20,12\n"
        "0123456789,XX,2026-11-20,12\n"
        "0123456789,TN,31/02/2026,12\n"
        "0123456789,TN,2026-11-20,7\n"
    ).removeprefix("\ufeff")
    rows, problems = parse_collections(text, CODES, SECRET)
    assert [(r.line, r.last3, r.program, r.paid, r.term_months) for r in rows] == [
        (2, "789", "TN", date(2026, 11, 20), 12),
        (3, "234", "YT", date(2026, 11, 20), 6),
    ]
    assert [(p.line, p.key) for p in problems] == [
        (4, "collections.bad_code"),
        (5, "import.bad_program"),
        (6, "collections.bad_date"),
        (7, "collections.bad_term"),
    ]
    assert "01234567" not in str(problems)


# The CLI, as an operator runs it

STAFF = (
    "unit,name,phone,role\n"
    "BHXH tỉnh Thanh Hóa / Phường Hạc Thành,Nguyễn Thị Lan,0912000001,officer\n"
    "BHXH tỉnh Thanh Hóa / Phường Hạc Thành,Phạm Văn Nam,0912000002,officer\n"
    "BHXH tỉnh Thanh Hóa,Hoàng Quốc Việt,0915000001,admin\n"
)
A, B, C, D = "0381960011", "038096002222", "0381960033", "038096004444"


def bot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_bot(tmp_path, *args, stdin=stdin, PARTICIPANT_HASH_SECRET=SECRET)


def shown(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def test_import_collections_confirms_matches_and_reports_the_rest(tmp_path: Path) -> None:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    assert bot(tmp_path, "import-staff", "staff.csv").returncode == 0
    lan = bot(tmp_path, "console", "--phone", "0912000001",
              stdin=f"/ghi TN 1 ma={A}\n/ghi TN 1 ma={B} ky=6\n")  # fmt: skip
    nam = bot(tmp_path, "console", "--phone", "0912000002", stdin=f"YT 1 {C} ky 6\n")
    assert lan.returncode == 0 and nam.returncode == 0, lan.stderr + nam.stderr
    assert lan.stdout.count("✅ Đã ghi 1") == 2 and "✅ Đã ghi 1" in nam.stdout

    paid = (today - timedelta(days=3)).isoformat()
    csv_text = (
        "participant_code,program,date_paid,term\r\n"
        f"{A},TN,{paid},12\r\n"
        f"{C},YT,{today:%d/%m/%Y},12\r\n"
        f"{D},TN,{paid},3\r\n"
        f"{A},YT,{today.isoformat()},1\r\n"
    )
    (tmp_path / "thu.csv").write_bytes(b"\xef\xbb\xbf" + csv_text.encode())

    # A bad file first: reported by line, nothing stored.
    (tmp_path / "bad.csv").write_text(
        csv_text + f"123,TN,{paid},12\n{A},TN,hôm qua,12\n", encoding="utf-8"
    )
    bad = bot(tmp_path, "import-collections", "bad.csv")
    assert bad.returncode == 1
    assert "dòng 6: mã người tham gia phải có 10 hoặc 12 chữ số" in bad.stderr
    assert 'dòng 7: ngày nộp "hôm qua" không hợp lệ' in bad.stderr
    assert rows(tmp_path, "SELECT DISTINCT state FROM entries") == [("reported",)]

    result = bot(tmp_path, "import-collections", "thu.csv")
    assert result.returncode == 0, result.stderr
    paid_day = today - timedelta(days=3)
    assert result.stdout.splitlines() == [
        "Đối soát thu.csv: 4 dòng thu, 2 khớp (2 vừa xác nhận), 1 bản ghi chưa có dòng thu,"
        " 2 dòng thu không có bản ghi.",
        "Gia hạn tìm thấy trong dữ liệu thu: 0 (tính là duy trì, không tính là khai thác mới).",
        f"Kỳ của tệp: từ {shown(paid_day)} đến {shown(today)}"
        " (khớp khi ngày ghi cách ngày nộp không quá 45 ngày).",
        "Khớp (đã xác nhận):",
        f"  dòng 2 · …011 · TN nộp {shown(paid_day)} → #1 Nguyễn Thị Lan ghi {shown(today)}",
        f"  dòng 3 · …033 · YT nộp {shown(today)} → #3 Phạm Văn Nam ghi {shown(today)}",
        "Bản ghi chưa có dòng thu:",
        f"  #2 Nguyễn Thị Lan · TN …222 · ghi {shown(today)}",
        "Đóng tiếp (gia hạn):",
        "  (không có)",
        "Dòng thu không có bản ghi nào:",
        f"  dòng 4 · …444 · TN nộp {shown(paid_day)}",
        f"  dòng 5 · …011 · YT nộp {shown(today)}",
    ]
    for code in (A, B, C, D):
        assert code not in result.stdout + result.stderr
    # confirmed, with the term of the collection record where the officer gave none
    assert rows(tmp_path, "SELECT id, state, term_months, state_reason FROM entries") == [
        (1, "confirmed", 12, "thu.csv:2"),
        (2, "reported", 6, None),
        (3, "confirmed", 6, "thu.csv:3"),
    ]
    assert rows(
        tmp_path,
        "SELECT m.phone, a.action, a.before, a.after FROM audit_log a"
        " JOIN members m ON m.id = a.actor_id ORDER BY a.id",
    ) == [
        ("0915000001", "entry.confirm", "reported", "confirmed: thu.csv:2"),
        ("0915000001", "entry.confirm", "reported", "confirmed: thu.csv:3"),
    ]
    # The same file again confirms nothing new; a wrong secret is refused.
    again = bot(tmp_path, "import-collections", "thu.csv", "--by", "0912000001")
    assert again.returncode == 1
    assert "Số 0912000001 không phải lãnh đạo hoặc quản trị viên" in again.stderr
    again = bot(tmp_path, "import-collections", "thu.csv", "--by", "+84915000001")
    assert again.returncode == 0
    assert "2 khớp (0 vừa xác nhận)" in again.stdout
    assert len(rows(tmp_path, "SELECT * FROM audit_log")) == 2
