"""The phone network's side of Kannel's HTTP SMSC: a small server that records every MT
(an SMS Kannel sends to a phone) and answers as an SMSC would, or fails on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class MtMessage:
    """One MT (gateway -> phone) request as the HTTP SMSC's send-url received it.

    ``text`` is decoded with ``charset`` (UTF-8 when Kannel sends none, UTF-16BE
    for ``coding=2``); ``raw_text`` keeps the bytes. ``sender`` is Kannel's
    ``from`` parameter; ``params`` has every query parameter decoded as UTF-8
    (so its ``text`` is garbled for UCS-2: use ``text``). ``answered`` is the
    status the sink replied with, or None when it dropped the connection.
    """

    to: str
    sender: str
    text: str
    raw_text: bytes
    coding: int | None
    charset: str | None
    udh: bytes | None
    params: dict[str, str]
    answered: int | None = 200
    received_at: float = field(default_factory=time.monotonic)

    @property
    def concat(self) -> tuple[int, int, int] | None:
        """(reference, total parts, this part) from a concatenation UDH, else None."""
        udh = self.udh or b""
        index = 1
        while index + 1 < len(udh):
            iei, length = udh[index], udh[index + 1]
            data = udh[index + 2 : index + 2 + length]
            if iei == 0x00 and len(data) == 3:
                return data[0], data[1], data[2]
            if iei == 0x08 and len(data) == 4:
                return int.from_bytes(data[:2], "big"), data[2], data[3]
            index += 2 + length
        return None


def _decode_param(value: str) -> str:
    """parse_qs was run with latin-1, so each char is one byte: re-decode as UTF-8."""
    return value.encode("latin-1").decode("utf-8", errors="replace")


def _parse_mt(target: str, answered: int | None) -> MtMessage:
    query = urlsplit(target).query
    raw = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True, encoding="latin-1").items()}
    params = {k: _decode_param(v) for k, v in raw.items()}
    raw_text = raw.get("text", "").encode("latin-1")
    coding = int(raw["coding"]) if raw.get("coding", "").isdigit() else None
    charset = params.get("charset") or None
    if charset:
        encoding = charset
    elif coding == 2:
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = raw_text.decode(encoding, errors="replace")
    except LookupError:
        text = raw_text.decode("utf-8", errors="replace")
    udh = raw["udh"].encode("latin-1") if "udh" in raw else None
    return MtMessage(
        to=params.get("to", ""),
        sender=params.get("from", ""),
        text=text,
        raw_text=raw_text,
        coding=coding,
        charset=charset,
        udh=udh,
        params=params,
        answered=answered,
    )


class _MtSink:
    """A minimal HTTP/1.1 server (keep-alive aware) receiving Kannel's MT GETs."""

    def __init__(self, on_message: Callable[[MtMessage], None]) -> None:
        self._on_message = on_message
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0
        self.failures: list[int | None] = []
        """Queued answers for the next MTs: a status code, or None to drop."""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection must be closed."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        _method, target, version = [*lines[0].split(" ", 2), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            await reader.readexactly(length)
        keep_alive = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"

        if not target.startswith("/mt"):
            await self._reply(writer, 404, "Not found", keep_alive)
            return keep_alive
        answer = self.failures.pop(0) if self.failures else 200
        self._on_message(_parse_mt(target, answer))
        if answer is None:
            writer.transport.abort()
            return False
        body = "Sent." if answer == 200 else "Failed on purpose by the test sink."
        await self._reply(writer, answer, body, keep_alive)
        return keep_alive

    @staticmethod
    async def _reply(
        writer: asyncio.StreamWriter, status: int, body: str, keep_alive: bool
    ) -> None:
        data = body.encode()
        head = (
            f"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + data)
        await writer.drain()
