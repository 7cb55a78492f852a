"""A real Kannel SMS gateway for tests, started on free 127.0.0.1 ports.

``KannelGateway`` writes a kannel.conf into a temporary directory, starts
``bearerbox`` then ``smsbox`` (Debian package ``kannel``) and plays the phone
network with an HTTP SMSC (``smsc = http``, ``system-type = kannel``):

* an MO (a phone sending an SMS to our short code) is injected with
  ``await gw.inject_mo(sender, text)``: a GET to the SMSC port,
  ``/sms?username=&password=&from=&to=&text=`` (Kannel answers ``202 Sent.``);
  smsbox then calls the ``get-url`` template (our bot) and sends the
  text/plain body of the answer back to the sender as the reply SMS;
* every MT (an SMS Kannel sends to a phone: such a reply, or one pushed with
  ``/cgi-bin/sendsms``) arrives as a GET at a small HTTP "sink" server that
  records it (``gw.mt_messages``, ``await gw.wait_mt(...)``) and answers
  ``200 Sent.``, or fails on purpose (``gw.fail_next_mt``, ``gw.drop_next_mt``).

On exit smsbox is stopped first, then bearerbox (SIGTERM, SIGKILL after a
timeout). ``serve_asgi`` runs an ASGI app (e.g. a fake or the real bot) on a
free loopback port inside the test's event loop.

Observed with Kannel 1.4.5 (Debian 1.4.5-12); see ``tests/test_kannel_harness.py``:

* get-url answers non-2xx, or is down: smsbox does not fail the MO; with
  ``http-request-retry = 0`` (the default) it sends the sender the
  ``reply-couldnotfetch`` text ("Could not fetch content, sorry.") at once; with
  ``http-request-retry = N`` it calls the get-url again up to N more times,
  ``http-queue-delay`` seconds apart, and sends that text only when all fail.
* the sink answering 500 (or a body other than ``Sent.``/``Ok.``/
  ``0: Accepted for delivery``) makes bearerbox drop the MT for good
  (``FAILED_MALFORMED``); a dropped connection is a temporary failure that is
  retried every ``sms-resend-freq`` seconds, at most ``sms-resend-retry`` times.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import re
import secrets
import shutil
import signal
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal
from urllib.parse import quote, quote_from_bytes

import httpx

from tests.support.kannel_sink import MtMessage, _MtSink
from tests.support.net import free_port, serve_asgi

__all__ = [
    "KannelError",
    "KannelGateway",
    "MtMessage",
    "free_port",
    "kannel_available",
    "serve_asgi",
]

GSM7_CHARS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "\f^{}\\[~]|€"
)
"""Characters a phone can send in GSM 03.38 7-bit (default alphabet and extension)."""

PORT_ATTEMPTS = 3
"""Starts on fresh ports when Kannel finds a port taken after all."""

BARRIER_NUMBER = "99999999999"
"""Receiver of the sentinel SMS that ``KannelGateway.sync_mt`` pushes through."""

LogName = Literal[
    "bearerbox",
    "bearerbox-access",
    "bearerbox-stderr",
    "smsbox",
    "smsbox-access",
    "smsbox-stderr",
    "smsc",
]


class KannelError(RuntimeError):
    """Kannel failed to start, answered unexpectedly, or stopped behaving."""


def kannel_available() -> bool:
    """True when both ``bearerbox`` and ``smsbox`` are on PATH (or in /usr/sbin)."""
    return _find_binary("bearerbox") is not None and _find_binary("smsbox") is not None


def _find_binary(name: str) -> str | None:
    path = os.environ.get("PATH", os.defpath) + os.pathsep + "/usr/sbin:/usr/local/sbin"
    return shutil.which(name, path=path)


def _set_pdeathsig() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to SIGTERM the child if the test process dies without cleaning up."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _conf_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if '"' in value or "\n" in value:
        raise ValueError(f"cannot put {value!r} in kannel.conf")
    return f'"{value}"'


def _group(name: str, options: dict[str, str | int | bool | None]) -> str:
    lines = [f"group = {name}"]
    lines += [f"{key} = {_conf_value(val)}" for key, val in options.items() if val is not None]
    return "\n".join(lines) + "\n"


class KannelGateway:
    """Real bearerbox + smsbox wired to a fake phone network on 127.0.0.1.

    Use as ``async with KannelGateway(get_url_template=..., tmp_path=tmp_path) as gw``.
    ``get_url_template`` is the sms-service ``get-url`` with Kannel escapes
    (``%p`` sender, ``%P`` receiver, ``%a`` text, ``%I`` message id, ``%t`` time).
    """

    def __init__(
        self,
        *,
        get_url_template: str,
        tmp_path: Path,
        short_code: str = "8088",
        max_messages: int = 1,
        concatenation: bool = False,
        http_request_retry: int = 0,
        http_queue_delay: int = 1,
        mt_resend_freq: int = 1,
        mt_resend_retry: int = 3,
        omit_empty: bool = True,
        reply_couldnotfetch: str | None = None,
        extra_config: str = "",
        log_options: Mapping[str, Mapping[str, str | int | bool | None]] | None = None,
        umask: int | None = None,
        startup_timeout: float = 20.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.get_url_template = get_url_template
        self.directory = Path(tmp_path) / f"kannel-{secrets.token_hex(3)}"
        self.short_code = short_code
        self.max_messages = max_messages
        self.concatenation = concatenation
        self.http_request_retry = http_request_retry
        self.http_queue_delay = http_queue_delay
        self.mt_resend_freq = mt_resend_freq
        self.mt_resend_retry = mt_resend_retry
        self.omit_empty = omit_empty
        self.reply_couldnotfetch = reply_couldnotfetch
        self.extra_config = extra_config
        self.log_options = log_options or {}
        """Per group (`core`, `smsbox`, `smsc`): log settings to use instead of the
        harness's (everything at debug level); None drops a setting (e.g. no access-log)."""
        self.umask = umask
        """The boxes' umask (deploy/kannel.conf asks for 027 in /etc/default/kannel)."""
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout

        self.admin_password = "admin-" + secrets.token_hex(4)
        self.smsc_username = "smsc"
        self.smsc_password = "smsc-" + secrets.token_hex(4)
        self.sendsms_user = "bot"
        self.sendsms_password = "send-" + secrets.token_hex(4)

        self.admin_port = self.smsbox_port = self.sendsms_port = self.smsc_port = 0
        self.mt_messages: list[MtMessage] = []
        """MTs the sink accepted (answered 200), in arrival order; barriers excluded."""
        self.mt_attempts: list[MtMessage] = []
        """Every MT request the sink saw, including the ones it failed or dropped."""
        self.startup_seconds = 0.0

        self._consumed: set[int] = set()
        self._mt_event = asyncio.Event()
        self._sink = _MtSink(self._record_mt)
        self._bearerbox: asyncio.subprocess.Process | None = None
        self._smsbox: asyncio.subprocess.Process | None = None
        self._stderr_files: list[IO[bytes]] = []
        self._client: httpx.AsyncClient | None = None
        self._barrier_seq = 0
        self._barriers: list[MtMessage] = []

    # ----------------------------------------------------------------- URLs

    @property
    def sendsms_url(self) -> str:
        """The smsbox sendsms endpoint, e.g. http://127.0.0.1:PORT/cgi-bin/sendsms."""
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    @property
    def smsc_url(self) -> str:
        """Where MOs are injected (the HTTP SMSC's receive port)."""
        return f"http://127.0.0.1:{self.smsc_port}/sms"

    @property
    def admin_url(self) -> str:
        """Base of bearerbox's admin HTTP interface."""
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def sink_url(self) -> str:
        """The HTTP SMSC's send-url (the fake phone network)."""
        return f"http://127.0.0.1:{self._sink.port}/mt"

    @property
    def pids(self) -> dict[str, int]:
        """PIDs of the running boxes, e.g. {"bearerbox": 123, "smsbox": 124}."""
        procs = {"bearerbox": self._bearerbox, "smsbox": self._smsbox}
        return {name: proc.pid for name, proc in procs.items() if proc is not None}

    @property
    def conf_path(self) -> Path:
        """The generated kannel.conf."""
        return self.directory / "kannel.conf"

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> KannelGateway:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the sink, write kannel.conf, start bearerbox then smsbox, wait until ready."""
        bearerbox, smsbox = _find_binary("bearerbox"), _find_binary("smsbox")
        if bearerbox is None or smsbox is None:
            raise KannelError("Kannel is not installed: run `bash scripts/install-kannel.sh`")
        started = time.monotonic()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._client = httpx.AsyncClient(timeout=5.0, trust_env=False)
        try:
            await self._sink.start()
            deadline = started + self.startup_timeout
            for attempt in range(1, PORT_ATTEMPTS + 1):
                try:
                    await self._start_boxes(bearerbox, smsbox, deadline)
                    break
                except KannelError as error:
                    # A port picked as free can be taken before Kannel binds it (another
                    # process, an outgoing connection): try again on new ports.
                    if "Address already in use" not in str(error) or attempt == PORT_ATTEMPTS:
                        raise
                    await self._stop_boxes()
                    for log in [*self.directory.glob("*.log"), *self.directory.glob("*.stderr")]:
                        log.unlink()
        except BaseException:
            await self.stop()
            raise
        self.startup_seconds = time.monotonic() - started

    async def _start_boxes(self, bearerbox: str, smsbox: str, deadline: float) -> None:
        """Pick free ports, write kannel.conf, start bearerbox then smsbox, wait for both."""
        used = {self._sink.port}
        for attr in ("admin_port", "smsbox_port", "sendsms_port", "smsc_port"):
            port = free_port(used)
            used.add(port)
            setattr(self, attr, port)
        self.conf_path.write_text(self.render_config(), encoding="utf-8")
        self._bearerbox = await self._spawn(bearerbox, "bearerbox")
        await self._wait_until(
            deadline, "bearerbox admin up and HTTP SMSC online", self._bearerbox_ready
        )
        self._smsbox = await self._spawn(smsbox, "smsbox")
        await self._wait_until(deadline, "smsbox connected, sendsms up", self._smsbox_ready)

    async def _stop_boxes(self) -> None:
        for proc in (self._smsbox, self._bearerbox):
            if proc is not None:
                await self._terminate(proc)
        self._smsbox = self._bearerbox = None
        for handle in self._stderr_files:
            handle.close()
        self._stderr_files.clear()

    async def pause(self) -> None:
        """Stop smsbox, then bearerbox, as an operator would; the sink and the ports stay,
        so `resume()` brings the same gateway back (connections are refused meanwhile)."""
        await self._stop_boxes()

    async def resume(self) -> None:
        """Start bearerbox, then smsbox again on the ports they had before `pause()`."""
        bearerbox, smsbox = _find_binary("bearerbox"), _find_binary("smsbox")
        assert bearerbox is not None and smsbox is not None
        deadline = time.monotonic() + self.startup_timeout
        self._bearerbox = await self._spawn(bearerbox, "bearerbox")
        await self._wait_until(
            deadline, "bearerbox admin up and HTTP SMSC online", self._bearerbox_ready
        )
        self._smsbox = await self._spawn(smsbox, "smsbox")
        await self._wait_until(deadline, "smsbox connected, sendsms up", self._smsbox_ready)

    async def stop(self) -> None:
        """Stop smsbox, then bearerbox, then the sink; safe to call twice."""
        await self._stop_boxes()
        await self._sink.close()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _spawn(self, binary: str, name: str) -> asyncio.subprocess.Process:
        stderr = (self.directory / f"{name}.stderr").open("ab")
        self._stderr_files.append(stderr)
        return await asyncio.create_subprocess_exec(
            binary,
            "-v",
            "2",  # warnings and worse on stderr; the log files get everything
            str(self.conf_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            cwd=self.directory,
            preexec_fn=_set_pdeathsig if self.umask is None else self._child_setup,
        )

    def _child_setup(self) -> None:  # pragma: no cover - runs in the child
        _set_pdeathsig()
        if self.umask is not None:
            os.umask(self.umask)

    async def _terminate(self, proc: asyncio.subprocess.Process) -> None:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), self.stop_timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
        await proc.wait()

    async def _wait_until(self, deadline: float, what: str, probe: Callable[[], Any]) -> None:
        """Poll ``probe`` (async, truthy when ready) until ``deadline``."""
        delay = 0.05
        while True:
            for name, proc in (("bearerbox", self._bearerbox), ("smsbox", self._smsbox)):
                if proc is not None and proc.returncode is not None:
                    raise KannelError(
                        f"{name} exited with {proc.returncode} while waiting for {what}\n"
                        + self.log_tail()
                    )
            with contextlib.suppress(httpx.HTTPError, OSError):
                if await probe():
                    return
            if time.monotonic() >= deadline:
                raise KannelError(
                    f"timed out after {self.startup_timeout:.0f}s waiting for {what}\n"
                    + self.log_tail()
                )
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    async def _bearerbox_ready(self) -> bool:
        status = await self.admin_status()
        return re.search(r"\[sink\].*\(online", status) is not None

    async def _smsbox_ready(self) -> bool:
        status = await self.admin_status()
        if re.search(r"smsbox:.*on-line", status) is None:
            return False
        assert self._client is not None
        response = await self._client.get(self.sendsms_url)  # no credentials: 4xx, but alive
        return response.status_code < 500

    # ---------------------------------------------------------------- config

    def render_config(self) -> str:
        """The kannel.conf text for the current ports and options."""
        d = self.directory
        core = _group(
            "core",
            {
                "admin-port": self.admin_port,
                "admin-interface": "127.0.0.1",
                "admin-password": self.admin_password,
                "status-password": self.admin_password,
                "admin-allow-ip": "127.0.0.1",
                "admin-deny-ip": "*.*.*.*",
                "smsbox-port": self.smsbox_port,
                "smsbox-interface": "127.0.0.1",
                "box-allow-ip": "127.0.0.1",
                "box-deny-ip": "*.*.*.*",
                "log-file": str(d / "bearerbox.log"),
                "log-level": 0,
                "access-log": str(d / "bearerbox-access.log"),
                "sms-resend-freq": self.mt_resend_freq,
                "sms-resend-retry": self.mt_resend_retry,
            },
        )
        smsc = _group(
            "smsc",
            {
                "smsc": "http",
                "smsc-id": "sink",
                "system-type": "kannel",
                "port": self.smsc_port,
                "connect-allow-ip": "127.0.0.1",
                "smsc-username": self.smsc_username,
                "smsc-password": self.smsc_password,
                "send-url": self.sink_url,
                "reconnect-delay": 1,
                "log-file": str(d / "smsc.log"),
                "log-level": 0,
            },
        )
        smsbox = _group(
            "smsbox",
            {
                "bearerbox-host": "127.0.0.1",
                "bearerbox-port": self.smsbox_port,
                "sendsms-port": self.sendsms_port,
                "sendsms-interface": "127.0.0.1",
                "global-sender": self.short_code,
                "mo-recode": True,
                "http-request-retry": self.http_request_retry,
                "http-queue-delay": self.http_queue_delay,
                "reply-couldnotfetch": self.reply_couldnotfetch,
                "log-file": str(d / "smsbox.log"),
                "log-level": 0,
                "access-log": str(d / "smsbox-access.log"),
            },
        )
        user = _group(
            "sendsms-user",
            {
                "username": self.sendsms_user,
                "password": self.sendsms_password,
                "user-allow-ip": "127.0.0.1",
                "user-deny-ip": "*.*.*.*",
                "max-messages": self.max_messages,
                "concatenation": self.concatenation,
            },
        )
        service = _group(
            "sms-service",
            {
                "keyword": "default",
                "catch-all": True,
                "get-url": self.get_url_template,
                "omit-empty": self.omit_empty,
                "max-messages": self.max_messages,
                "concatenation": self.concatenation,
            },
        )
        core, smsc, smsbox = (
            self._with_logs(name, text)
            for name, text in (("core", core), ("smsc", smsc), ("smsbox", smsbox))
        )
        header = "# Generated by tests/support/kannel.py for one test run.\n"
        return "\n".join([header, core, smsc, smsbox, user, service, self.extra_config])

    def _with_logs(self, group: str, text: str) -> str:
        """`text` (one rendered group) with `log_options[group]` applied."""
        overrides = self.log_options.get(group)
        if not overrides:
            return text
        lines = [line for line in text.splitlines() if line.split(" = ")[0] not in overrides]
        lines += [
            f"{key} = {_conf_value(value)}" for key, value in overrides.items() if value is not None
        ]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------- traffic

    async def admin_status(self) -> str:
        """bearerbox's ``status.txt``."""
        assert self._client is not None, "gateway not started"
        response = await self._client.get(
            f"{self.admin_url}/status.txt", params={"password": self.admin_password}
        )
        response.raise_for_status()
        return response.text

    def mo_url(
        self, sender: str, text: str, to: str | None = None, *, ucs2: bool | None = None
    ) -> str:
        """The URL that injects one MO into the HTTP SMSC (see ``inject_mo``)."""
        if ucs2 is None:
            ucs2 = not set(text) <= GSM7_CHARS
        if ucs2:
            text_param = quote_from_bytes(text.encode("utf-16-be"), safe="")
            extra = "&coding=2&charset=UTF-16BE"
        else:
            text_param = quote(text, safe="")
            extra = "&charset=UTF-8"
        return (
            f"{self.smsc_url}?username={quote(self.smsc_username, safe='')}"
            f"&password={quote(self.smsc_password, safe='')}"
            f"&from={quote(sender, safe='')}&to={quote(to or self.short_code, safe='')}"
            f"&text={text_param}{extra}"
        )

    async def inject_mo(
        self, sender: str, text: str, to: str | None = None, *, ucs2: bool | None = None
    ) -> None:
        """Deliver an SMS from phone ``sender`` to ``to`` (default: the short code).

        Like a phone, text outside the GSM 7-bit alphabet (Vietnamese with
        diacritics) goes as UCS-2 (``coding=2&charset=UTF-16BE``) unless ``ucs2``
        says otherwise; smsbox's ``mo-recode`` turns it into UTF-8 for the get-url.
        ``ucs2=False`` sends the text as UTF-8 with 7-bit coding instead.
        """
        assert self._client is not None, "gateway not started"
        response = await self._client.get(self.mo_url(sender, text, to, ucs2=ucs2))
        if response.status_code != 202 or response.text.strip() != "Sent.":
            raise KannelError(
                f"HTTP SMSC refused the MO: {response.status_code} {response.text!r}\n"
                + self.log_tail()
            )

    async def send_sms(self, to: str, text: str, **params: str) -> httpx.Response:
        """Push an MT through smsbox's sendsms interface as the bot would (UTF-8)."""
        assert self._client is not None, "gateway not started"
        query = {
            "username": self.sendsms_user,
            "password": self.sendsms_password,
            "to": to,
            "text": text,
            "charset": "UTF-8",
            **params,
        }
        return await self._client.get(self.sendsms_url, params=query)

    def fail_next_mt(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` MT deliveries with ``status`` instead of 200."""
        self._sink.failures.extend([status] * count)

    def drop_next_mt(self, count: int = 1) -> None:
        """Close the connection without answering the next ``count`` MT deliveries."""
        self._sink.failures.extend([None] * count)

    def _record_mt(self, message: MtMessage) -> None:
        if message.to == BARRIER_NUMBER:
            self._barriers.append(message)
        else:
            self.mt_attempts.append(message)
            if message.answered == 200:
                self.mt_messages.append(message)
        self._mt_event.set()

    def pending_mt(self, to: str | None = None) -> list[MtMessage]:
        """Accepted MTs not yet returned by ``wait_mt`` (optionally only those to ``to``)."""
        return [
            m
            for i, m in enumerate(self.mt_messages)
            if i not in self._consumed and (to is None or m.to == to)
        ]

    async def wait_mt(
        self,
        to: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> MtMessage:
        """The next accepted MT (to ``to`` if given) not yet returned; marks it consumed.

        MTs to other numbers stay pending. Raises TimeoutError (with the pending
        MTs and Kannel's log tails) when none comes within ``timeout`` seconds.
        """
        return await self._take(
            lambda m: to is None or m.to == to, timeout, f"no MT to {to or 'anyone'}"
        )

    async def wait_text(
        self,
        to: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> str:
        """Like ``wait_mt`` but returns the text, joining all parts of a concatenated SMS."""
        deadline = time.monotonic() + timeout
        first = await self.wait_mt(to, timeout)
        part = first.concat
        if part is None:
            return first.text
        ref, total, _ = part
        parts = {part[2]: first}
        while len(parts) < total:
            message = await self._take(
                lambda m: (
                    m.to == first.to and m.concat is not None and m.concat[:2] == (ref, total)
                ),
                max(deadline - time.monotonic(), 0.0),
                f"missing parts of concatenated SMS {ref} to {first.to} (have {sorted(parts)})",
            )
            assert message.concat is not None
            parts[message.concat[2]] = message
        return "".join(parts[seq].text for seq in sorted(parts))

    async def _take(
        self, predicate: Callable[[MtMessage], bool], within: float, what: str
    ) -> MtMessage:
        deadline = time.monotonic() + within
        while True:
            for index, message in enumerate(self.mt_messages):
                if index not in self._consumed and predicate(message):
                    self._consumed.add(index)
                    return message
            self._mt_event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{what} within {within:.1f}s; pending: {self.pending_mt()!r}\n"
                    + self.log_tail(names=("bearerbox-access", "smsbox-access", "smsc"))
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._mt_event.wait(), remaining)

    async def sync_mt(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Push a sentinel SMS through sendsms and wait for it at the sink.

        MTs queued in bearerbox before the sentinel have reached the sink once
        this returns; the sentinel is not added to ``mt_messages``.
        """
        self._barrier_seq += 1
        marker = f"barrier {self._barrier_seq}"
        response = await self.send_sms(BARRIER_NUMBER, marker)
        if response.status_code != 202:
            raise KannelError(
                f"sendsms refused the barrier: {response.status_code} {response.text}"
            )
        deadline = time.monotonic() + timeout
        while not any(m.text == marker for m in self._barriers):
            self._mt_event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"barrier SMS not delivered within {timeout}s\n" + self.log_tail()
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._mt_event.wait(), remaining)

    # ------------------------------------------------------------------ logs

    def log_path(self, name: LogName) -> Path:
        """Path of one of Kannel's log files in the gateway's directory."""
        suffix = "stderr" if name.endswith("stderr") else "log"
        stem = name.removesuffix("-stderr") if suffix == "stderr" else name
        return self.directory / f"{stem}.{suffix}"

    def read_log(self, name: LogName) -> str:
        """The whole text of a log file ('' if it does not exist yet)."""
        path = self.log_path(name)
        if not path.exists():
            return ""
        return path.read_text(encoding="utf-8", errors="replace")

    def log_tail(
        self,
        lines: int = 25,
        names: tuple[LogName, ...] = (
            "bearerbox-stderr",
            "smsbox-stderr",
            "bearerbox",
            "smsc",
            "smsbox",
            "bearerbox-access",
            "smsbox-access",
        ),
    ) -> str:
        """The last ``lines`` lines of each of ``names``, for error messages."""
        parts = []
        for name in names:
            text = self.read_log(name)
            if text:
                tail = "\n".join(text.splitlines()[-lines:])
                parts.append(f"--- {self.log_path(name).name} (last {lines} lines) ---\n{tail}")
        return "\n".join(parts) or f"(no Kannel logs in {self.directory})"

    async def wait_log(
        self,
        name: LogName,
        pattern: str,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> re.Match[str]:
        """Wait until ``pattern`` (a regex) matches somewhere in log ``name``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.read_log(name))
            if match is not None:
                return match
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{pattern!r} not in {name} log within {timeout}s\n" + self.log_tail()
                )
            await asyncio.sleep(0.05)
