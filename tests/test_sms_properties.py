"""Properties of the SMS path, whatever arrives: one plain reply, and no stray changes.

Each example goes through the real Starlette app (in process) to the real SQLite file;
the entries table is read before and after.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from channels.http import build_http_app
from commands.context import Services
from commands.registry import parse
from settings import Settings
from tests.support.db import rows

SECRET = "prop-secret"
MEMBER_SENDERS = ("84912000001", "+84 912 000 002", "0912000003")
STRANGER = "84987000111"
KEYWORDS = (
    "TN", "tn", "Tn", "YT", "yt", "TD", "td", "TD Q", "TD T", "td tháng", "TD N", "BXH",
    "HUY", "huy", "HD", "/ghi", "/log", "/huy", "/undo", "/tiendo", "/start", "2 TN", "XX",
)  # fmt: skip
SUFFIXES = ("", " 20/11", " 23/11", " 24/11", " 31/02", " 1/1", " Q", " x")

keyword_texts = st.builds(
    "{}{}{}{}".format,
    st.sampled_from(KEYWORDS),
    st.sampled_from(["", " ", "  ", "\t", "\n"]),
    st.one_of(st.integers(-3, 70).map(str), st.text(max_size=4)),
    st.sampled_from(SUFFIXES),
)
log_texts = st.builds(
    "{}{}{}{}".format,
    st.sampled_from(["TN", "tn", "YT", " Yt", "2 TN", "/ghi TN", "HUY", "huy"]),
    st.sampled_from(["", " ", "  "]),
    st.integers(0, 60).map(str),
    st.sampled_from(["", " 20/11", " 24/11"]),
)
# A third noise, two thirds near-commands (often real ones); most senders are staff.
sms_texts = st.one_of(st.text(max_size=300), keyword_texts, log_texts)
senders = st.one_of(
    st.sampled_from(MEMBER_SENDERS), st.sampled_from([STRANGER]), st.text(max_size=16)
)
message_ids = itertools.count()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = build_http_app(services, Settings(sms_inbound_secret=SECRET))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        yield http


def entries(tmp_path: Path) -> list[tuple[object, ...]]:
    return rows(tmp_path, "SELECT id, count, state FROM entries ORDER BY id")


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=sms_texts,
    sender=st.one_of(st.sampled_from(MEMBER_SENDERS), senders),
)
async def test_any_sms_gets_one_plain_reply_and_only_commands_change_entries(
    client: httpx.AsyncClient, services: Services, tmp_path: Path, text: str, sender: str
) -> None:
    before = entries(tmp_path)
    params = {"from": sender, "text": text, "id": f"p{next(message_ids)}", "secret": SECRET}
    response = await client.get("/sms/inbound", params=params)
    after = entries(tmp_path)

    event("entries changed" if after != before else "entries unchanged")
    if not sender.strip():
        assert response.status_code == 400 and after == before  # nobody to answer
        return
    assert response.status_code == 200
    reply = response.text
    assert len(reply) <= 160
    assert reply.isascii() and all(" " <= char <= "~" or char == "\n" for char in reply)
    if sender not in MEMBER_SENDERS:
        assert after == before
        return
    assert reply
    if after != before:
        command, _ = parse(text, services.rules.program_codes)
        assert command is not None and command.name in ("ghi", "huy"), (text, reply)
        assert reply.startswith("Da ghi" if command.name == "ghi" else "Da huy"), reply
