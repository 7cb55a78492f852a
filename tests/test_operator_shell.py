"""The operator's shell: a mistake gets one line saying what to fix, an exit code, and
no traceback (issue 12). Run as the operator does: `python bot.py ...` in a subprocess."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import ROOT, bot, rows, staffed


def one_line_without_traceback(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("HTTP_PORT", "abc", "HTTP_PORT=abc, cần một số nguyên"),
        ("HTTP_PORT", "70000", "HTTP_PORT=70000, cần một số cổng từ 1 đến 65535"),
        ("SMS_DAILY_CAP", "năm", "SMS_DAILY_CAP=năm, cần một số nguyên"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    tmp_path: Path, name: str, value: str, expected: str
) -> None:
    result = bot(tmp_path, "backup", "copy.db", **{name: value})
    assert result.returncode == 2
    line = one_line_without_traceback(result.stderr)
    assert line == (
        f"Cấu hình sai: {expected}. Sửa trong biến môi trường hoặc tệp .env rồi chạy lại."
    )
    assert not (tmp_path / "quota.db").exists()  # checked before anything was opened


def test_a_broken_schedule_file_is_one_line_naming_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "schedule.toml").write_text("[weekly]\nhour = 31\n", encoding="utf-8")
    result = bot(tmp_path, "backup", "copy.db", SCHEDULE_FILE=str(tmp_path / "schedule.toml"))
    assert result.returncode == 2
    line = one_line_without_traceback(result.stderr)
    assert line.startswith(f"Tệp cấu hình sai: {tmp_path / 'schedule.toml'}: [weekly] hour = 31: ")
    assert "hour" in line and line.endswith("Sửa tệp rồi chạy lại.")


def test_a_schedule_file_that_is_not_toml_or_missing_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "schedule.toml").write_text("[weekly\n", encoding="utf-8")
    for path in (tmp_path / "schedule.toml", tmp_path / "missing.toml"):
        result = bot(tmp_path, "backup", "copy.db", SCHEDULE_FILE=str(path))
        assert result.returncode == 2
        line = one_line_without_traceback(result.stderr)
        assert line.startswith(f"Tệp cấu hình sai: {path}: ")


def test_a_bad_delivery_value_in_the_schedule_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "schedule.toml").write_text('[delivery]\nattempts = "four"\n', encoding="utf-8")
    result = bot(tmp_path, "run", SCHEDULE_FILE=str(tmp_path / "schedule.toml"))
    assert result.returncode == 2
    assert one_line_without_traceback(result.stderr).startswith("Tệp cấu hình sai: ")


STAFF_CSV = (
    "unit,name,phone,role\n"
    "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành,Nguyễn Thị Lan,"
    "0912000001,officer\n"
)


@pytest.mark.parametrize("command", ["import-staff", "import-quotas", "import-collections"])
def test_a_missing_file_is_one_line(tmp_path: Path, command: str) -> None:
    result = bot(tmp_path, command, "nowhere.csv")
    assert result.returncode == 2
    assert one_line_without_traceback(result.stderr) == (
        "Không tìm thấy tệp nowhere.csv. Kiểm tra đường dẫn rồi chạy lại."
    )


def test_a_backup_never_overwrites_a_file_and_reads_back(tmp_path: Path) -> None:
    staffed(tmp_path, STAFF_CSV)
    (tmp_path / "old.db").write_bytes(b"yesterday's backup")
    refused = bot(tmp_path, "backup", "old.db")
    assert refused.returncode == 2
    assert one_line_without_traceback(refused.stderr) == (
        "Tệp old.db đã có: chọn một tên mới cho bản sao lưu (bản cũ không bị ghi đè)."
    )
    assert (tmp_path / "old.db").read_bytes() == b"yesterday's backup"
    made = bot(tmp_path, "backup", "new.db")
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(tmp_path / "new.db") as db:
        assert db.execute("SELECT phone FROM members").fetchall() == [("0912000001",)]


def test_restore_refuses_an_existing_database_without_force_then_replaces_it(
    tmp_path: Path,
) -> None:
    staffed(tmp_path, STAFF_CSV)
    assert bot(tmp_path, "backup", "saved.db").returncode == 0
    with sqlite3.connect(tmp_path / "quota.db") as db:
        db.execute("DELETE FROM members")  # a mistake to undo

    refused = bot(tmp_path, "restore", "saved.db")
    assert refused.returncode == 2
    assert one_line_without_traceback(refused.stderr) == (
        f"Cơ sở dữ liệu {tmp_path / 'quota.db'} đã có: thêm --force để thay nó bằng bản sao lưu."
    )
    assert rows(tmp_path, "SELECT count(*) FROM members") == [(0,)]
    restored = bot(tmp_path, "restore", "saved.db", "--force")
    assert restored.returncode == 0, restored.stderr
    assert rows(tmp_path, "SELECT phone FROM members") == [("0912000001",)]

    (tmp_path / "junk.db").write_bytes(b"not a database")
    broken = bot(tmp_path, "restore", "junk.db", "--force")
    assert broken.returncode == 2
    assert one_line_without_traceback(broken.stderr).startswith(
        "Bản sao lưu không đọc lại được, đừng dùng nó: "
    )
    assert rows(tmp_path, "SELECT phone FROM members") == [("0912000001",)]


def test_restore_refuses_a_database_a_running_bot_has_open(tmp_path: Path) -> None:
    staffed(tmp_path, STAFF_CSV)
    assert bot(tmp_path, "backup", "saved.db").returncode == 0
    console = subprocess.Popen(  # a console session keeps the database open
        [sys.executable, str(ROOT / "bot.py"), "console", "--phone", "0912000001"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'quota.db'}"},
        cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert console.stdout is not None
        assert "Xin chào Nguyễn Thị Lan!" in console.stdout.readline()
        refused = bot(tmp_path, "restore", "saved.db", "--force")
        assert refused.returncode == 2
        assert one_line_without_traceback(refused.stderr) == (
            f"Cơ sở dữ liệu {tmp_path / 'quota.db'} đang được một tiến trình bot dùng:"
            " dừng bot rồi khôi phục."
        )
    finally:
        console.communicate("", timeout=60)
    assert console.returncode == 0


def ctrl_c_as_at_a_terminal() -> None:
    """A test run started in the background by a shell without job control (`pytest &`)
    ignores SIGINT, and a child inherits that: Python then installs no handler and Ctrl+C
    never reaches the console. A terminal delivers it, so the child starts as there."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_leaves_the_console_at_once(tmp_path: Path) -> None:
    staffed(tmp_path, STAFF_CSV)
    console = subprocess.Popen(  # stdin stays open: the console waits for a line
        [sys.executable, str(ROOT / "bot.py"), "console", "--phone", "0912000001"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'quota.db'}"},
        cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=ctrl_c_as_at_a_terminal,
    )  # fmt: skip
    assert console.stdout is not None and console.stdin is not None
    assert "Xin chào Nguyễn Thị Lan!" in console.stdout.readline()
    console.send_signal(signal.SIGINT)
    try:
        # Waited for with stdin still open, as at a terminal: `communicate()` would close
        # it, and the end of input that follows would race the Ctrl+C.
        console.wait(timeout=20)  # not waiting for another Enter
    finally:
        if console.poll() is None:
            console.kill()
        _, stderr = console.communicate()
    assert console.returncode == 130, stderr
    assert "Traceback" not in stderr


def test_import_quotas_reports_every_problem_of_the_file_in_one_pass(tmp_path: Path) -> None:
    staffed(tmp_path, STAFF_CSV)
    (tmp_path / "quotas.csv").write_text(
        "target_kind,target,program,period,quota\n"
        "member,0912000001,TN,2026,120\n"
        "member,0987654321,TN,2026,120\n"
        "unit,BHXH tỉnh Nghệ An,TN,2026,500\n"
        "member,0912000001,XX,2026,5\n",
        encoding="utf-8",
    )
    result = bot(tmp_path, "import-quotas", "quotas.csv")
    assert result.returncode == 1
    assert "dòng 3: không có cán bộ với số 0987654321" in result.stderr
    assert 'dòng 4: không có đơn vị "BHXH tỉnh Nghệ An"' in result.stderr
    assert "dòng 5: " in result.stderr
    assert "Traceback" not in result.stderr
    assert rows(tmp_path, "SELECT count(*) FROM quotas") == [(0,)]


def test_help_lists_every_subcommand_with_its_csv_columns(tmp_path: Path) -> None:
    result = bot(tmp_path, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for command in ("run", "demo", "console", "import-staff", "import-quotas",
                    "import-collections", "backup", "restore"):  # fmt: skip
        assert f" {command} " in text
    assert "cột: unit,name,phone,role" in text
    assert "cột: target_kind,target,program,period,quota" in text
    assert "cột: participant_code,program,date_paid,term" in text
