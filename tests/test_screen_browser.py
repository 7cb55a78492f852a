"""The office TV page in a real headless Chromium, against the real bot process.

Entries are logged through the console path (`run_text` on the console channel) in the
test's own process, with its own connections to the database: to the bot serving the
page that is another process, as the console CLI is, so the page hears of them through
the change counter, within 2 s. (One entry goes through the CLI itself, to show that.)
"""

from __future__ import annotations

import asyncio
import re
import struct
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from commands.context import Services
from commands.registry import run_text
from storage.repository import QuotaRow, StaffRow
from storage.sqlite import SQLiteRepository
from tests.support.bot_process import BotProcess
from tests.support.browser import chromium
from tests.support.cli import ROOT, bot
from tests.support.net import free_port
from tracker.models import Channel, PlanKind, Role, TargetKind
from tracker.participant_counts import CountRow
from tracker.periods import VIETNAM
from tracker.rules import load_rules

OFFICE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành"
STAFF = [
    (f"{OFFICE} / Phường Hạc Thành", "Nguyễn Thị Lan", "0912000001", "officer"),
    (f"{OFFICE} / Phường Hạc Thành", "Phạm Văn Nam", "0912000002", "officer"),
    (f"{OFFICE} / Phường Điện Biên", "Lê Thị Hương", "0912000004", "officer"),
    (f"{OFFICE} / Phường Điện Biên", "Đặng Quốc Bảo", "0912000005", "officer"),
    (f"{OFFICE} / Bưu điện Hạc Thành", "Vũ Thị Hoa", "0912000003", "agent"),
    (OFFICE, "Trần Minh Đức", "0913000001", "lead"),
]
LEAD, NAM = "0913000001", "0912000002"
SCREENSHOTS = ROOT / "out" / "screenshots"
WITHIN = 2.0
"""Seconds from an entry's commit (the console has exited) to the page showing it."""


def log(tmp_path: Path, phone: str, *texts: str, base_url: str = "") -> str:
    """Type `texts` at the console as `phone`; the replies."""

    async def session() -> str:
        repo = await SQLiteRepository.open(tmp_path / "quota.db")
        try:
            services = Services(
                repo=repo,
                rules=load_rules(),
                clock=lambda: datetime.now(UTC),
                public_base_url=base_url,
            )
            member = await repo.member_by_phone(phone)
            assert member is not None
            replies = [
                (await run_text(services, member, text, Channel.CONSOLE, None)).text
                for text in texts
            ]
            return "\n".join(replies)
        finally:
            await repo.close()

    return asyncio.run(session())


def new_link(tmp_path: Path, base_url: str) -> str:
    reply = log(tmp_path, LEAD, "/tv", base_url=base_url)
    found = re.search(rf"{re.escape(base_url)}/tv/[A-Za-z0-9_-]+", reply)
    assert found is not None, reply
    return found.group(0)


async def fill(tmp_path: Path) -> None:
    """The office's staff and yearly quotas (TN 120, YT 240 for everyone but the lead)."""
    repo = await SQLiteRepository.open(tmp_path / "quota.db")
    try:
        await repo.import_staff(
            [
                StaffRow(n, unit, name, phone, Role(role))
                for n, (unit, name, phone, role) in enumerate(STAFF)
            ]
        )
        quotas = [
            QuotaRow(0, TargetKind.MEMBER, phone, code, "2026", value)
            for _, _, phone, role in STAFF
            if role != "lead"
            for code, value in (("TN", 120), ("YT", 240))
        ]
        # The office's plan for participants in total this year, and its count at the end
        # of last year: the side panel shows it apart from the enrolment plans.
        this_year = datetime.now(VIETNAM).year
        quotas.append(
            QuotaRow(0, TargetKind.UNIT, OFFICE, "TN", str(this_year), 1_200, PlanKind.TOTAL)
        )
        await repo.import_quotas(quotas, datetime.now(UTC))
        counted = date(this_year - 1, 12, 31)
        await repo.import_participant_counts(
            [CountRow(0, OFFICE, "TN", counted, 1_100)], datetime.now(UTC)
        )
    finally:
        await repo.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotProcess, str]]:
    """The bot serving a small office with some entries logged; (bot, a TV link)."""
    tmp_path = tmp_path_factory.mktemp("tv")
    asyncio.run(fill(tmp_path))
    log(tmp_path, "0912000001", "TN 5", "YT 4")
    log(tmp_path, "0912000004", "YT 6")
    log(tmp_path, "0912000003", "TN 2")
    server = BotProcess(tmp_path, free_port())
    server.start()
    try:
        yield server, new_link(tmp_path, server.base_url)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """One Chromium for the module (starting one costs seconds); each test opens its page."""
    with chromium() as driver:
        yield driver


def rows(driver: webdriver.Chrome, board: str) -> list[str]:
    """One board's rows as text (hidden boards too: they rotate)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(row =>"
        " Array.from(row.children).map(c => c.textContent.trim()).filter(Boolean).join(' '))",
        f'.board[data-board="{board}"] .row',
    )
    return found


def visible(driver: webdriver.Chrome, selector: str) -> bool:
    shown: bool = driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        " return !!e && e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none'",
        selector,
    )
    return shown


def no_phone_number(driver: webdriver.Chrome) -> None:
    dom = driver.page_source + driver.execute_script("return document.body.innerText")
    for _, _, phone, _ in STAFF:
        for form in (phone, "84" + phone[1:], phone[1:], phone[-9:]):
            assert form not in dom


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_an_entry_shows_on_the_open_page_within_two_seconds(
    office: tuple[BotProcess, str], browser: webdriver.Chrome
) -> None:
    server, link = office
    data_dir = Path(server.log).parent
    browser.get(link)
    assert browser.title == "Bảng thi đua · BHXH cơ sở Hạc Thành"
    WebDriverWait(browser, 5).until(lambda d: not visible(d, "#offline"))
    week = rows(browser, "people-week")
    # Five ranked people: the better half at most (three), nobody at zero.
    assert [re.sub(r" \d+/\d+ \d+%$", "", row) for row in week] == [
        "1 Nguyễn Thị Lan",
        "2 Lê Thị Hương",
        "3 Vũ Thị Hoa",
    ]
    assert re.fullmatch(r"1 Nguyễn Thị Lan 9/\d+ \d+%", week[0])
    assert "Phạm Văn Nam" not in browser.page_source
    assert [re.sub(r"^\d+ | \d+/\d+ \d+%$", "", row) for row in rows(browser, "units-month")] == [
        "Phường Hạc Thành",
        "Phường Điện Biên",
        "Bưu điện Hạc Thành",
    ]
    no_phone_number(browser)

    console = bot(data_dir, "console", "--phone", NAM, stdin="TN 12\n")  # the CLI itself
    assert "Đã ghi 12 người tham gia BHXH tự nguyện" in console.stdout
    WebDriverWait(browser, WITHIN, poll_frequency=0.05).until(
        lambda d: (
            rows(d, "people-week")[:1]
            and rows(d, "people-week")[0].startswith("1 Phạm Văn Nam 12/")
        )
    )
    assert visible(browser, ".board.active")
    lit = "return document.querySelector('.board[data-board=\"people-week\"] .row.changed')"
    assert "Phạm Văn Nam" in browser.execute_script(lit + ".textContent")  # the row lights up
    no_phone_number(browser)
    assert re.search(
        r"cập nhật lúc \d\d:\d\d", browser.execute_script("return document.body.innerText")
    )

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "tv-1080p.png"
    assert browser.save_screenshot(str(shot))
    assert png_size(shot) == (1920, 1080)

    log(data_dir, NAM, "/huy")
    WebDriverWait(browser, WITHIN, poll_frequency=0.05).until(
        lambda d: "Phạm Văn Nam" not in " ".join(rows(d, "people-week"))
    )


def test_the_side_panel_says_which_plan_each_number_is_measured_against(
    office: tuple[BotProcess, str], browser: webdriver.Chrome
) -> None:
    _, link = office
    browser.get(link)
    WebDriverWait(browser, 5).until(lambda d: not visible(d, "#offline"))
    headings: list[str] = browser.execute_script(
        "return Array.from(document.querySelectorAll('.side .plan h3'), h => h.textContent.trim())"
    )
    week, month = (rows(browser, board) for board in ("people-week", "units-month"))
    assert week and month
    this_year = datetime.now(VIETNAM).year
    assert headings[-1] == "Tổng số người tham gia"
    assert all(h.startswith("Kế hoạch phát triển mới · ") for h in headings[:-1]), headings
    assert len(headings) == 3  # the week's and the month's enrolment plans, then the total
    total: str = browser.execute_script(
        "return document.querySelector('.total-plans .plan-line').innerText"
    )
    # 1.100 at the end of last year, then 5 (Lan) and 2 (Hoa) enrolled in TN: 1.107.
    assert " ".join(total.split()) == f"TN: 1.107/1.200 · kế hoạch năm {this_year} 92%"
    assert visible(browser, ".total-plans progress")


def test_kiosk_mode_shows_only_the_boards_and_rotates_them(
    office: tuple[BotProcess, str], browser: webdriver.Chrome
) -> None:
    _, link = office
    browser.get(link + "?kiosk=1&xoay=5")
    assert visible(browser, ".board.active")
    for hidden in (".side", "header.top", ".updated"):
        assert not visible(browser, hidden), hidden
    first = browser.execute_script("return document.querySelector('.board.active').dataset.board")
    assert first == "people-week"
    WebDriverWait(browser, 8, poll_frequency=0.1).until(
        lambda d: (
            d.execute_script("return document.querySelector('.board.active').dataset.board")
            == "people-month"
        )
    )
    shot = SCREENSHOTS / "tv-1080p-kiosk.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script(
        "document.querySelectorAll('.board').forEach("
        " b => b.classList.toggle('active', b.dataset.board === 'units-month'))"
    )
    assert browser.save_screenshot(str(shot))
    assert png_size(shot) == (1920, 1080)


def test_a_revoked_link_closes_the_open_page(
    office: tuple[BotProcess, str], browser: webdriver.Chrome
) -> None:
    server, _ = office
    data_dir = Path(server.log).parent
    link = new_link(data_dir, server.base_url)
    browser.get(link)
    WebDriverWait(browser, 5).until(lambda d: not visible(d, "#offline"))
    listing = log(data_dir, LEAD, "/tv tat")
    number = re.findall(r"^#(\d+) ", listing, re.M)[-1]
    log(data_dir, LEAD, f"/tv tat {number}")
    # No time is promised for a revocation; in practice it is as quick as an entry.
    WebDriverWait(browser, 5, poll_frequency=0.05).until(lambda d: visible(d, "#revoked"))
    assert browser.find_element("id", "revoked").text == (
        "Màn hình này đã bị thu hồi. Lãnh đạo đơn vị có thể tạo liên kết mới bằng /tv."
    )
    assert not visible(browser, ".board.active")
    browser.refresh()
    assert "Liên kết màn hình không đúng hoặc đã bị thu hồi." in browser.page_source


def test_the_page_reconnects_after_the_server_restarts_and_catches_up(
    office: tuple[BotProcess, str], browser: webdriver.Chrome
) -> None:
    server, link = office
    data_dir = Path(server.log).parent
    browser.get(link)
    WebDriverWait(browser, 5).until(lambda d: not visible(d, "#offline"))
    assert server.stop() == 0  # SIGTERM: open streams end, the bot exits cleanly
    WebDriverWait(browser, 5, poll_frequency=0.1).until(lambda d: visible(d, "#offline"))
    log(data_dir, "0912000005", "TN 20")  # while the server is down
    server.start()
    WebDriverWait(browser, 10, poll_frequency=0.1).until(
        lambda d: (
            rows(d, "people-week")[:1]
            and rows(d, "people-week")[0].startswith("1 Đặng Quốc Bảo 20/")
        )
    )
    assert not visible(browser, "#offline")
    log(data_dir, NAM, "YT 30")
    WebDriverWait(browser, WITHIN, poll_frequency=0.05).until(
        lambda d: rows(d, "people-week")[0].startswith("1 Phạm Văn Nam 30/")
    )
