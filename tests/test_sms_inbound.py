"""SMS in, through the bot's real HTTP server (uvicorn on 127.0.0.1), on a real SQLite file.

Kannel itself is in test_sms_kannel.py; here httpx plays its get-url/post-url calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from channels.http import build_http_app
from channels.sms import fit_sms, number_hash
from commands.context import Services
from settings import Settings
from tests.conftest import Clock
from tests.support.db import dump, rows
from tests.support.net import serve_asgi

SECRET = "in-s3cret_42"
LAN = "84912000001"  # Nguyễn Thị Lan, officer, as Kannel's %p gives it
STRANGER = "84987654321"
REFUSAL = "So nay chua co trong danh sach can bo, dai ly thu BHXH."


@pytest.fixture
async def http(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = build_http_app(services, Settings(sms_inbound_secret=SECRET))
    async with (
        serve_asgi(app) as base_url,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as client,
    ):
        yield client


async def sms(
    http: httpx.AsyncClient, text: str, sender: str = LAN, **extra: str
) -> httpx.Response:
    params = {"from": sender, "to": "8088", "text": text, "secret": SECRET, **extra}
    return await http.get("/sms/inbound", params=params)


async def sms_reply(http: httpx.AsyncClient, text: str, sender: str = LAN, **extra: str) -> str:
    """An SMS from `sender` through the inbound endpoint; the reply it answers with."""
    response = await sms(http, text, sender, **extra)
    assert response.status_code == 200, response.text
    return response.text


async def test_log_replies_in_plain_ascii_with_the_running_total(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    reply = await sms_reply(http, "TN 2", id="m-1")
    # Year quota 120 -> November 10; 23 of 30 days gone: expected 8, so 2 is behind by 6.
    assert reply == ("Da ghi 2 TN ngay 23/11/2026.\nLuy ke thang 11: TN 2/10 (20%) cham 6")
    assert rows(tmp_path, "SELECT program, count, channel, state FROM entries") == [
        ("TN", 2, "sms", "reported")
    ]


@pytest.mark.parametrize("text", ["tn2", "Tn  2", " tn 2 ", "2 TN", "TN\t2", "tN2"])
async def test_keywords_ignore_case_accents_and_spacing(
    http: httpx.AsyncClient, tmp_path: Path, text: str
) -> None:
    assert (await sms_reply(http, text, id="x")).startswith("Da ghi 2 TN ngay")
    assert rows(tmp_path, "SELECT sum(count) FROM entries") == [(2,)]


async def test_logging_for_a_past_day(http: httpx.AsyncClient, tmp_path: Path) -> None:
    reply = await sms_reply(http, "YT 1 20/11", id="p-1")
    assert reply.startswith("Da ghi 1 YT ngay 20/11/2026.")
    assert rows(tmp_path, "SELECT day FROM entries") == [("2026-11-20",)]


async def test_progress_undo_and_help_fit_one_sms(http: httpx.AsyncClient) -> None:
    await sms_reply(http, "TN 3", id="a")
    await sms_reply(http, "YT 4", id="b")
    month = await sms_reply(http, "TD")
    assert month.splitlines()[:2] == ["Tien do thang 11:", "TN 3/10 (30%) cham 5"]
    quarter = await sms_reply(http, "td  QUÝ")
    assert quarter.startswith("Tien do quy IV/2026:\nTN 3/")
    assert (await sms_reply(http, "TD tháng")) == month
    assert (await sms_reply(http, "HUY", id="c")) == "Da huy ban ghi 4 YT ngay 23/11/2026."
    assert (await sms_reply(http, "hd")).startswith("TN 2: ghi 2 TN")
    for reply in (month, quarter, await sms_reply(http, "TD N"), await sms_reply(http, "TD T")):
        assert len(reply) <= 160 and reply.isascii() and not reply.endswith("..."), reply


@pytest.mark.parametrize(
    "text", ["", "xin chao", "TN", "TN 0", "TN 99", "XX 2", "TD abc", "BXH", "/start", "TN 2 1/1"]
)
async def test_every_reply_is_one_plain_sms_and_bad_input_stores_nothing(
    http: httpx.AsyncClient, tmp_path: Path, text: str
) -> None:
    reply = await sms_reply(http, text, id=f"bad-{text}")
    assert reply and len(reply) <= 160 and reply.isascii(), reply
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]


async def test_a_redelivered_message_counts_once_and_gets_the_same_reply(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    first = await sms_reply(http, "TN 3", id="kannel-uuid-1")
    assert await sms_reply(http, "TN 3", id="kannel-uuid-1") == first
    # Without an id, sender + text + timestamp identify the message.
    stamp = "2026-11-23 10:15:00"
    second = await sms_reply(http, "YT 2", ts=stamp)
    assert await sms_reply(http, "YT 2", ts=stamp) == second
    await sms_reply(http, "YT 2", ts="2026-11-23 10:16:00")  # a new message with the same text
    assert rows(
        tmp_path, "SELECT program, sum(count) FROM entries GROUP BY program ORDER BY program"
    ) == [
        ("TN", 3),
        ("YT", 4),
    ]
    undo = await sms_reply(http, "HUY", id="kannel-uuid-2")
    assert await sms_reply(http, "HUY", id="kannel-uuid-2") == undo  # undoes one entry, not two
    assert rows(tmp_path, "SELECT count(*) FROM entries WHERE state = 'voided'") == [(1,)]


async def test_kannel_post_url_shape(http: httpx.AsyncClient, tmp_path: Path) -> None:
    response = await http.post(
        "/sms/inbound",
        params={"id": "post-1"},
        content="TN 1".encode("utf-16-be"),
        headers={
            "content-type": "text/plain; charset=UTF-16BE",
            "x-kannel-from": "+84912000001",
            "x-kannel-to": "8088",
            "x-sms-secret": SECRET,
        },
    )
    assert response.status_code == 200
    assert response.text.startswith("Da ghi 1 TN ngay")
    form = await http.post(
        "/sms/inbound",
        params={"secret": SECRET},
        data={"from": "0912000001", "text": "TD", "id": "post-2"},
    )
    assert form.text.startswith("Tien do thang 11:\nTN 1/10")
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(1,)]


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        ({"secret": "wrong"}, {}),
        ({"secret": ""}, {}),
        ({}, {"x-sms-secret": "wrong"}),
        ({"secret": SECRET.upper()}, {}),
        ({"secret": "sécret"}, {}),
    ],
)
async def test_a_call_without_the_secret_is_refused_and_stores_nothing(
    http: httpx.AsyncClient, tmp_path: Path, params: dict[str, str], headers: dict[str, str]
) -> None:
    for sender in (LAN, STRANGER):
        query = {"from": sender, "text": "TN 2", "id": "s1", **params}
        response = await http.get("/sms/inbound", params=query, headers=headers)
        assert response.status_code == 403
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]
    assert rows(tmp_path, "SELECT count(*) FROM sms_refusals") == [(0,)]


async def test_no_secret_configured_refuses_everything(services: Services) -> None:
    app = build_http_app(services, Settings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        response = await client.get("/sms/inbound", params={"from": LAN, "text": "TD"})
        assert response.status_code == 403
        assert (await client.get("/sms/inbound", params={"secret": ""})).status_code == 403


async def test_a_call_without_sender_is_a_bad_request(http: httpx.AsyncClient) -> None:
    response = await http.get("/sms/inbound", params={"text": "TN 2", "secret": SECRET})
    assert response.status_code == 400


async def test_unknown_number_gets_one_refusal_a_day_and_nothing_else_is_kept(
    http: httpx.AsyncClient, clock: Clock, tmp_path: Path
) -> None:
    first = await sms_reply(http, "TN 2", STRANGER, id="u1")
    assert first.startswith(REFUSAL) and len(first) <= 160
    assert await sms_reply(http, "TN 2", STRANGER, id="u1") == ""  # empty: Kannel sends nothing
    assert await sms_reply(http, "HD", "+84 987 654 321", id="u2") == ""  # same number, any form
    assert (await sms_reply(http, "HD", "84987654322", id="u3")).startswith(REFUSAL)
    assert await sms_reply(http, "xin chao", "VIETTEL") != ""  # not even a phone number
    clock.now += timedelta(days=1)
    assert (await sms_reply(http, "TN 2", STRANGER, id="u4")).startswith(REFUSAL)

    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]
    kept = rows(tmp_path, "SELECT number_hash, day FROM sms_refusals")
    assert kept == [(number_hash(STRANGER, SECRET), "2026-11-24")]  # yesterday's are gone
    everything = dump(tmp_path)
    for trace in ("987654321", "0987654321", "VIETTEL", "xin chao"):
        assert trace not in everything


def test_number_hash_is_keyed_and_ignores_the_number_format() -> None:
    assert number_hash("+84 987 654 321", "k") == number_hash("0987654321", "k")
    assert number_hash("0987654321", "k") != number_hash("0987654321", "other key")
    assert "987654321" not in number_hash("0987654321", "k")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đã ghi 2 TN ✅", "Da ghi 2 TN"),
        ("a [b] {c} ~d^ |e| `f` \\g", "a (b) (c) -d' /e/ 'f' /g"),
        ("line\r\nbreak\x00\x07 bell", "line\nbreak bell"),
        ("x" * 160, "x" * 160),
    ],
)
def test_fit_sms_keeps_gsm7_safe_ascii(text: str, expected: str) -> None:
    assert fit_sms(text) == expected


def test_fit_sms_cuts_long_text_at_a_word_boundary() -> None:
    words = " ".join(f"tu{number}" for number in range(100))
    cut = fit_sms(words)
    assert len(cut) <= 160 and cut.endswith("...")
    assert words.startswith(cut.removesuffix("...") + " ")
    assert fit_sms("y" * 400) == "y" * 157 + "..."
    assert len(fit_sms("ab " * 80, limit=20)) <= 20
