"""The office TV page and its event stream, over real HTTP, with the bot's own hub.

Pages are plain HTTP here (the browser tests are in test_screen_browser.py): what the
page shows, that a change reaches every open stream within 2 s from one computed
board, that undo and rejection show, that another process's entries show, that a
revoked link closes its streams, and that no phone number is ever sent.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from channels.http import build_http_app
from channels.tv.hub import ScreenHub
from commands.context import Services
from settings import Settings
from storage.backends import open_repository
from tests.conftest import STAFF
from tests.support.db import database_url
from tests.support.members import say
from tests.support.net import serve_asgi
from tests.support.sse import Event, EventStream

LEAD, LAN, NAM, HOA = "0913000001", "0912000001", "0912000002", "0912000003"
PHONES = [row.phone for row in STAFF]


def board_names(html: str, board: str) -> list[str]:
    """The names on one board of the page, in order."""
    found = re.search(rf'data-board="{board}">(.*?)</article>', html, re.S)
    assert found is not None, board
    return re.findall(r'<span class="name">(.*?)</span>', found.group(1))


def board_lines(html: str, board: str) -> list[str]:
    found = re.search(rf'data-board="{board}">(.*?)</article>', html, re.S)
    assert found is not None, board
    rows = re.findall(r'<li class="row[^"]*">(.*?)</li>', found.group(1), re.S)
    return [
        " ".join(part.strip() for part in re.findall(r">([^<]+)<", row) if part.strip())
        for row in rows
    ]


def no_phone_in(text: str) -> None:
    for phone in PHONES:
        for form in (phone, "84" + phone[1:], phone[1:]):
            assert form not in text


@pytest.fixture
async def site(services: Services) -> AsyncIterator[tuple[str, str, ScreenHub]]:
    """The bot's HTTP server with a TV link for the lead's unit (BHXH cơ sở Hạc Thành):
    (base URL, page path, hub)."""
    reply = await say(services, LEAD, "/tv")
    path = reply.text.splitlines()[1].removeprefix(services.public_base_url)
    app = build_http_app(services, Settings())
    async with serve_asgi(app, lifespan="on") as base:
        yield base, path, app.state.screen_hub


async def test_the_page_shows_the_boards_as_a_team_group_would(
    services: Services, site: tuple[str, str, ScreenHub]
) -> None:
    base, path, _ = site
    await say(services, LAN, "/ghi TN 3")
    await say(services, HOA, "YT 1")
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert "<h1>BHXH cơ sở Hạc Thành</h1>" in html
    assert "cập nhật lúc 10:00" in html
    # Three ranked people, so at most two shown; Nam has nothing and is not named.
    assert board_lines(html, "people-week") == [
        "1 Nguyễn Thị Lan 3/7 42%",
        "2 Vũ Thị Hoa 1/7 14%",
    ]
    assert board_names(html, "people-month") == ["Nguyễn Thị Lan", "Vũ Thị Hoa"]
    assert "Phạm Văn Nam" not in html and "Trần Minh Đức" not in html
    assert board_names(html, "units-week") == ["Phường Hạc Thành", "Bưu điện Hạc Thành"]
    assert re.search(r'class="big">4</p>', html)  # today: 3 + 1 participants
    no_phone_in(html)
    for asset in ("screen.js", "screen.css", "DejaVuSans.ttf"):
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get(f"/tv/static/{asset}")).status_code == 200
    assert 'src="/tv/static/screen.js"' in html and "http" not in html.split("<body")[0]


async def test_a_wrong_link_is_not_found(site: tuple[str, str, ScreenHub]) -> None:
    base, path, _ = site
    async with httpx.AsyncClient(base_url=base) as client:
        wrong = path[:-1] + ("A" if path[-1] != "A" else "B")
        page = await client.get(wrong)
        stream = await client.get(wrong + "/events")
        static = await client.get("/tv/static/../../settings.py")
    assert page.status_code == 404
    assert "Liên kết màn hình không đúng hoặc đã bị thu hồi." in page.text
    assert stream.status_code == 404
    assert static.status_code == 404


async def test_an_entry_reaches_every_open_stream_from_one_computed_board(
    services: Services, site: tuple[str, str, ScreenHub]
) -> None:
    base, path, hub = site
    await say(services, LAN, "/ghi TN 3")
    async with httpx.AsyncClient(base_url=base) as client:
        streams = [EventStream(client, path + "/events") for _ in range(20)]
        for stream in streams:
            await stream.__aenter__()
        try:
            firsts = [await stream.next() for stream in streams]
            assert all(e is not None and e.name == "board" for e in firsts)
            assert hub.viewer_count == 20
            before = hub.computations
            await say(services, NAM, "/ghi TN 5")
            expected = ["1 Phạm Văn Nam 5/7 71%", "2 Nguyễn Thị Lan 3/7 42%"]
            for stream in streams:
                no_phone_in((await shown_within(stream, "people-week", expected)).data)
            # One board gathered for the change, however many pages watch it.
            assert hub.computations == before + 1
        finally:
            for stream in streams:
                await stream.__aexit__(None, None, None)


async def shown_within(
    stream: EventStream, board: str, lines: list[str], within: float = 2.0
) -> Event:
    """The first board event, within `within` seconds, whose `board` reads `lines`.

    A board gathered while an entry commits may show part of it (its reads are not one
    snapshot); the change that entry made brings the whole of it right after.
    """
    deadline = asyncio.get_running_loop().time() + within
    seen: list[str] = []
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            event = await stream.next(within=left)
        except TimeoutError:
            break
        assert event is not None and event.name == "board"
        seen = board_lines(event.html, board)
        if seen == lines:
            return event
    raise AssertionError(f"{board} still reads {seen} after {within} s, not {lines}")


async def board_after(stream: EventStream) -> Event:
    event = await stream.next(within=2.0)
    assert event is not None and event.name == "board"
    return event


async def test_undo_and_rejection_show_at_once(
    services: Services, site: tuple[str, str, ScreenHub]
) -> None:
    base, path, _ = site
    await say(services, LAN, "/ghi TN 3")
    await say(services, HOA, "YT 2")
    async with (
        httpx.AsyncClient(base_url=base) as client,
        EventStream(client, path + "/events") as stream,
    ):
        await board_after(stream)
        await say(services, NAM, "/ghi TN 4")
        expected = ["1 Phạm Văn Nam 4/7 57%", "2 Nguyễn Thị Lan 3/7 42%"]
        await shown_within(stream, "people-week", expected)
        await say(services, NAM, "/huy")
        expected = ["1 Nguyễn Thị Lan 3/7 42%", "2 Vũ Thị Hoa 2/7 28%"]
        await shown_within(stream, "people-week", expected)
        await say(services, LEAD, "/tuchoi 1 sai người")
        await shown_within(stream, "people-week", ["1 Vũ Thị Hoa 2/7 28%"])


async def test_entries_from_another_process_show_within_two_seconds(
    services: Services, site: tuple[str, str, ScreenHub], tmp_path: Path
) -> None:
    base, path, _ = site
    # Another process: its own connections to the same file, nobody to tell the hub.
    other = await open_repository(database_url(tmp_path))
    try:
        elsewhere = Services(repo=other, rules=services.rules, clock=services.clock)
        async with (
            httpx.AsyncClient(base_url=base) as client,
            EventStream(client, path + "/events") as stream,
        ):
            first = await board_after(stream)
            assert board_lines(first.html, "people-week") == []
            await say(elsewhere, HOA, "YT 6")
            await shown_within(stream, "people-week", ["1 Vũ Thị Hoa 6/7 85%"])
    finally:
        await other.close()


async def test_a_revoked_link_closes_its_streams_and_stops_opening(
    services: Services, site: tuple[str, str, ScreenHub]
) -> None:
    base, path, hub = site
    async with httpx.AsyncClient(base_url=base) as client:
        async with EventStream(client, path + "/events") as stream:
            await board_after(stream)
            await say(services, LEAD, "/tv tat 1")
            closing = await stream.next(within=2.0)
            assert closing is not None and closing.name == "revoked"
            assert await stream.next(within=2.0) is None  # and the stream ends
        assert hub.viewer_count == 0
        assert (await client.get(path)).status_code == 404
        assert (await client.get(path + "/events")).status_code == 404
