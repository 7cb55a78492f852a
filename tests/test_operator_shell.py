"""The operator's shell: a mistake gets one line saying what to fix, an exit code, and
no traceback (issue 12). Run as the operator does: `python bot.py ...` in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import bot


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
