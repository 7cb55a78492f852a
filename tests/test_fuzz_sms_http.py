"""Issue 11: fuzzing `/sms/inbound` with malformed HTTP: repeated and missing parameters,
bad charsets, huge ids, wrong secrets. Every call is answered (a reply SMS, 400 or 403),
never with the apology or a 500, and a refused call changes nothing.

In process (Starlette through httpx's ASGI transport) to the real SQLite file; the real
server and Kannel are in test_sms_inbound.py and test_sms_kannel.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from channels.http import build_http_app
from commands.context import Services
from commands.registry import parse
from settings import Settings
from tests.support.dump import CONVERSATION_TABLES, Watcher
from tests.support.fuzz import examples, lines

# The watcher dumps SQLite's file and rechecks only when `PRAGMA data_version` moves;
# what is fuzzed here is the parsing and the refusals above storage, which both backends
# share, so one backend is enough (storage's own suites run on both).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

SECRET = "fuzz-s3cret"
MEMBERS = ("84912000001", "+84 912 000 003", "0913000001")
STRANGER = "84987000111"
APOLOGY = "Xin loi, da co loi xay ra. Vui long thu lai sau it phut."
ONCE = ("from", "to", "text", "id", "ts")

senders = st.one_of(
    st.sampled_from(MEMBERS), st.just(STRANGER), st.text(max_size=20), st.just("9" * 5000)
)
ids = st.one_of(
    st.text(max_size=8),
    st.just("x" * 70),
    st.integers(0, 10**80).map(str),
    st.just("9" * 5000),
)
secrets = st.sampled_from([SECRET] * 6 + ["", "wrong", SECRET.upper(), SECRET + " "])
charsets = st.sampled_from(
    ["utf-8", "UTF-16BE", "latin-1", "nonsense", "idna", "undefined", "punycode", "base64",
     "utf-7", "", '"utf-8"', "utf-8; x=y", "cp1258", "ascii"]
)  # fmt: skip


@dataclass(frozen=True)
class Call:
    method: str
    query: list[tuple[str, str]]
    body: bytes
    headers: dict[str, str]
    form: list[tuple[str, str]]
    text: str = ""
    """The text as sent in a text/plain body (not among the parameters)."""

    @property
    def all_params(self) -> list[tuple[str, str]]:
        return self.query + self.form


@st.composite
def calls(draw: st.DrawFn) -> Call:
    """A get-url or post-url call, usually almost right: each parameter may be missing,
    doubled or malformed."""
    params: list[tuple[str, str]] = []
    for name, values in (
        ("from", senders),
        ("to", st.sampled_from(["8088", ""])),
        ("text", lines()),
        ("id", ids),
        ("ts", st.one_of(st.integers(0, 2**40).map(str), st.text(max_size=6))),
        ("secret", secrets),
    ):
        for _ in range(draw(st.sampled_from([1] * 12 + [0, 2]))):
            params.append((name, draw(values)))
    if draw(st.integers(0, 3)) == 0:  # a parameter Kannel never sends
        params.append((draw(st.text(max_size=5)), draw(st.text(max_size=5))))
    method = draw(st.sampled_from(["GET", "GET", "POST"]))
    if method == "GET":
        return Call("GET", params, b"", {}, [])
    if draw(st.booleans()):  # a form body
        in_form = [draw(st.booleans()) and name != "secret" for name, _ in params]
        form = [param for param, moved in zip(params, in_form, strict=True) if moved]
        query = [param for param, moved in zip(params, in_form, strict=True) if not moved]
        body = urlencode(form, errors="surrogatepass").encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return Call("POST", query, body, headers, form)
    text = next((value for name, value in params if name == "text"), "")
    query = [(name, value) for name, value in params if name != "text"]
    charset = draw(charsets)
    try:
        body = text.encode(charset.strip('"').split(";")[0] or "utf-8")
    except (LookupError, UnicodeError, ValueError):
        body = text.encode("utf-8", "surrogatepass")
    headers = {"content-type": f"text/plain; charset={charset}"}
    sender = next((value for name, value in params if name == "from"), None)
    if sender is not None and sender.isascii() and sender.isprintable():
        headers["x-kannel-from"] = sender
        query = [(name, value) for name, value in query if name != "from"]
    return Call("POST", query, body, headers, [], text)


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = build_http_app(services, Settings(sms_inbound_secret=SECRET))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        yield http


@pytest.fixture
def watcher(services: Services, tmp_path: Path) -> Iterator[Watcher]:
    watching = Watcher(tmp_path / "quota.db", CONVERSATION_TABLES)
    yield watching
    watching.close()


@settings(
    max_examples=examples(ci=300, nightly=10_000),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=calls())
async def test_any_call_is_answered_and_a_refused_one_changes_nothing(
    client: httpx.AsyncClient, services: Services, watcher: Watcher, call: Call
) -> None:
    before = watcher.dump()
    query = urlencode(call.query, errors="surrogatepass")
    response = await client.request(
        call.method, f"/sms/inbound?{query}", content=call.body or None, headers=call.headers
    )
    after = watcher.dump()
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400, 403), (call, response.text)
    secrets_given = [value for name, value in call.query if name == "secret"]
    if secrets_given != [SECRET]:
        assert response.status_code == 403
    if response.status_code != 200:
        assert after == before
        return
    names = [name for name, _ in call.all_params if name in ONCE]
    assert len(names) == len(set(names)), "a repeated parameter must not pass as an SMS"
    reply = response.text
    assert reply != APOLOGY, call
    assert len(reply) <= 160 and all(" " <= char <= "~" or char == "\n" for char in reply)
    sender = dict(call.all_params).get("from") or call.headers.get("x-kannel-from", "")
    text = dict(call.all_params).get("text", call.text)
    if sender not in MEMBERS:
        unchanged = [line for line in before if not line.startswith("sms_refusals")]
        assert [line for line in after if not line.startswith("sms_refusals")] == unchanged
    elif parse(text, (*services.rules.program_codes, *services.rules.aliases))[0] is None:
        # no command at all, as `dispatch` reads it (program codes and their aliases)
        assert after == before, text
