"""Everyday words (issue 12): periods and logging the way people say them, with exact
inputs from the issue, through `run_text` and through the piped console."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from commands.context import Services
from commands.grammar import parse_period_words, tokens
from storage.store_base import StoreBase
from tests.support.cli import bot, rows, staffed
from tests.support.db import rows as db_rows
from tests.support.members import say
from tracker.errors import UserError
from tracker.models import Channel

TODAY = date(2026, 11, 23)  # a Monday, as in conftest
LAN = "0912000001"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("tháng 10", "2026-10"),
        ("thang 10", "2026-10"),
        ("tháng 10/2026", "2026-10"),
        ("11/2026", "2026-11"),
        ("T10", "2026-10"),
        ("t10", "2026-10"),
        ("tháng này", "2026-11"),
        ("thang nay", "2026-11"),
        ("tháng trước", "2026-10"),
        ("thang truoc", "2026-10"),
        ("quý 4", "2026-Q4"),
        ("quý IV", "2026-Q4"),
        ("quy iv", "2026-Q4"),
        ("quý này", "2026-Q4"),
        ("tuần này", "2026-W48"),
        ("tuan nay", "2026-W48"),
        ("tuần trước", "2026-W47"),
        ("năm nay", "2026"),
        ("nam nay", "2026"),
        ("năm ngoái", "2025"),
        ("nam ngoai", "2025"),
        ("tháng 10 năm 2025", "2025-10"),
        ("last month", "2026-10"),
        ("this week", "2026-W48"),
        ("2026-11", "2026-11"),
        ("TD T", "2026-W48"),  # the SMS shorthand keeps its meaning
    ],
)
def test_periods_as_people_say_them(typed: str, key: str) -> None:
    words = tokens(typed)
    if words[0] == "td":
        words = words[1:]
    assert parse_period_words(words, TODAY).key == key


@pytest.mark.parametrize("typed", ["tháng 13", "13/2026", "T13", "quý 5", "năm 1999", "tháng abc"])
def test_a_period_that_names_nothing_is_refused(typed: str) -> None:
    with pytest.raises(UserError):
        parse_period_words(tokens(typed), TODAY)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("/tiendo tháng 10", "📊 Tiến độ tháng 10/2026"),
        ("/tiendo tháng 10/2026", "📊 Tiến độ tháng 10/2026"),
        ("/tiendo 11/2026", "📊 Tiến độ tháng 11/2026"),
        ("/tiendo T10", "📊 Tiến độ tháng 10/2026"),
        ("/tiendo quý IV", "📊 Tiến độ quý IV/2026"),
        ("/tiendo năm ngoái", "📊 Tiến độ năm 2025"),
        ("tiendo tuần trước", "📊 Tiến độ tuần 47"),
    ],
)
async def test_progress_for_everyday_periods(services: Services, text: str, title: str) -> None:
    reply = await say(services, LAN, text)
    assert reply.text.startswith(title), reply.text


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("/tiendo 13/2026", "13/2026"), ("/tiendo T13", "T13"), ("/tiendo Tháng 13", "Tháng 13")],
)
async def test_an_error_quotes_what_was_typed(services: Services, text: str, quoted: str) -> None:
    reply = await say(services, LAN, text)
    assert reply.text.startswith(f'Không hiểu kỳ "{quoted}"'), reply.text


@pytest.mark.parametrize(
    ("text", "first_line"),
    [
        ("ghi 2 tn", "✅ Đã ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026."),
        ("Ghi TN 1", "✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 23/11/2026."),
        ("/ghi TN 2 người", "✅ Đã ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026."),
        ("/ghi TN 3 hôm qua", "✅ Đã ghi 3 người tham gia BHXH tự nguyện ngày 22/11/2026."),
        ("/ghi TN 3 hôm kia", "✅ Đã ghi 3 người tham gia BHXH tự nguyện ngày 21/11/2026."),
        ("/ghi TN 1 thứ 2", "✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 23/11/2026."),
        ("/ghi YT 1 thứ 7", "✅ Đã ghi 1 người tham gia BHYT hộ gia đình ngày 21/11/2026."),
        ("/ghi TN 1 chủ nhật", "✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 22/11/2026."),
        ("/ghi BHXH 1", "✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 23/11/2026."),
        ("BHYT 2", "✅ Đã ghi 2 người tham gia BHYT hộ gia đình ngày 23/11/2026."),
    ],
)
async def test_logging_in_natural_order(
    services: Services, tmp_path: Path, text: str, first_line: str
) -> None:
    reply = await say(services, LAN, text)
    assert reply.text.splitlines()[0] == first_line
    assert len(db_rows(tmp_path, "SELECT id FROM entries")) == 1


async def test_bhxh_1_never_talks_about_a_code(services: Services) -> None:
    sms = await say(services, LAN, "BHXH 1", Channel.SMS)
    assert sms.text.startswith("Da ghi 1 TN ngay 23/11/2026.")
    # A long number after BHXH is still a legacy code.
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret("participants-secret-for-tests-0123456789")
    coded = await say(services, LAN, "/ghi TN 1 bhxh 0123456789")
    assert "mã …789" in coded.text


def test_the_piped_console_understands_everyday_words(tmp_path: Path) -> None:
    staffed(
        tmp_path,
        "unit,name,phone,role\n"
        "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành,Nguyễn Thị Lan,"
        "0912000001,officer\n",
    )
    session = bot(
        tmp_path,
        "console",
        "--phone",
        LAN,
        stdin="ghi 2 tn\n/ghi TN 3 hôm qua\n/ghi BHXH 1\n/tiendo tháng này\n/tiendo T13\n",
    )
    assert session.returncode == 0, session.stderr
    assert "✅ Đã ghi 2 người tham gia BHXH tự nguyện" in session.stdout
    assert "✅ Đã ghi 1 người tham gia BHXH tự nguyện" in session.stdout
    assert 'Không hiểu kỳ "T13"' in session.stdout
    assert rows(tmp_path, "SELECT count FROM entries ORDER BY id") == [(2,), (3,), (1,)]
