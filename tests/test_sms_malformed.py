"""Issue 11: malformed get-url/post-url calls through the real HTTP server. Each gets a
clear answer (the reply SMS, or 400/403 for what is not an SMS) and a refused call
changes nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests import test_sms_inbound
from tests.support.dump import dump
from tests.test_sms_inbound import LAN, SECRET, rows

LOGGED = "Da ghi 2 TN ngay 23/11/2026.\nLuy ke thang 11: TN 2/10 (20%) cham 6"
NOT_UNDERSTOOD = "Khong hieu tin nhan. Vi du: TN 2 de ghi 2 nguoi TN. Gui HD de xem huong dan."

# The same fixture as test_sms_inbound's: a client of the real HTTP server.
http = test_sms_inbound.http


@pytest.mark.parametrize(
    "query",
    [
        f"from={LAN}&text=TN+2&text=YT+9&id=t2&secret={SECRET}",  # a second text=
        f"from={LAN}&from=84912000002&text=TN+2&id=f2&secret={SECRET}",
        f"from={LAN}&text=TN+2&id=a&id=b&secret={SECRET}",
        f"from={LAN}&text=TN+2&ts=1&ts=2&secret={SECRET}",
    ],
    ids=["text", "from", "id", "ts"],
)
async def test_a_repeated_parameter_is_not_an_sms(
    http: httpx.AsyncClient, tmp_path: Path, query: str
) -> None:
    before = dump(tmp_path / "quota.db")
    response = await http.get(f"/sms/inbound?{query}")
    assert (response.status_code, response.text) == (
        400,
        "not an SMS: no sender, a parameter twice, or too long",
    )
    assert dump(tmp_path / "quota.db") == before


async def test_a_repeated_parameter_in_a_form_body_is_not_an_sms(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    response = await http.post(
        f"/sms/inbound?secret={SECRET}&text=TN+2",
        content=f"from={LAN}&text=YT+9".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]


@pytest.mark.parametrize(
    "query", [f"secret={SECRET}&secret=x", f"secret=x&secret={SECRET}"], ids=["last", "first"]
)
async def test_a_repeated_secret_is_refused(
    http: httpx.AsyncClient, tmp_path: Path, query: str
) -> None:
    response = await http.get(f"/sms/inbound?from={LAN}&text=TN+2&{query}")
    assert response.status_code == 403
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(0,)]


async def test_a_long_id_still_makes_a_redelivery_count_once(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    long_id = "k" * 70
    for _ in range(2):
        response = await http.get(
            "/sms/inbound", params={"from": LAN, "text": "TN 2", "id": long_id, "secret": SECRET}
        )
        assert (response.status_code, response.text) == (200, LOGGED)
    huge = "9" * 5000
    response = await http.get(
        "/sms/inbound", params={"from": LAN, "text": "TD", "id": huge, "secret": SECRET}
    )
    assert response.status_code == 200 and response.text.startswith("Tien do thang 11:")
    assert rows(tmp_path, "SELECT sum(count) FROM entries") == [(2,)]


@pytest.mark.parametrize("charset", ["nonsense", "idna", "undefined", "base64", "utf-7", ""])
async def test_a_body_in_any_declared_charset_is_read_as_utf8_when_that_fails(
    http: httpx.AsyncClient, tmp_path: Path, charset: str
) -> None:
    response = await http.post(
        f"/sms/inbound?secret={SECRET}&id=c-{charset}",
        content=b"TN 2",
        headers={"content-type": f"text/plain; charset={charset}", "x-kannel-from": LAN},
    )
    assert (response.status_code, response.text) == (200, LOGGED)
    assert rows(tmp_path, "SELECT sum(count) FROM entries") == [(2,)]


@pytest.mark.parametrize(
    "query",
    [
        f"from={LAN}&secret={SECRET}",
        f"from={LAN}&text=&secret={SECRET}",
        f"from={LAN}&text=%ff%fe&secret={SECRET}",
    ],
    ids=["no text", "empty text", "bytes that are not UTF-8"],
)
async def test_a_missing_or_empty_text_is_answered_with_the_hint(
    http: httpx.AsyncClient, tmp_path: Path, query: str
) -> None:
    before = dump(tmp_path / "quota.db")
    response = await http.get(f"/sms/inbound?{query}")
    assert (response.status_code, response.text) == (200, NOT_UNDERSTOOD)
    assert dump(tmp_path / "quota.db") == before


async def test_a_missing_sender_is_a_bad_request_and_changes_nothing(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    before = dump(tmp_path / "quota.db")
    for query in (
        f"text=TN+2&secret={SECRET}",
        f"secret={SECRET}",
        f"from=&text=TN+2&secret={SECRET}",
    ):
        response = await http.get(f"/sms/inbound?{query}")
        assert response.status_code == 400
    assert dump(tmp_path / "quota.db") == before
