"""Reading a server-sent event stream the way EventSource does, over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx


@dataclass(frozen=True)
class Event:
    name: str
    data: str

    @property
    def html(self) -> str:
        """A board event's HTML (the page swaps it in)."""
        found: dict[str, Any] = json.loads(self.data)
        return str(found["html"])


class EventStream:
    """`async with EventStream(client, url) as events: await events.next()`."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client = client
        self._url = url
        self._lines: AsyncIterator[str] | None = None
        self._context: Any = None
        self.response: httpx.Response | None = None

    async def __aenter__(self) -> EventStream:
        self._context = self._client.stream("GET", self._url)
        self.response = await self._context.__aenter__()
        self._lines = self.response.aiter_lines()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._context.__aexit__(kind, error, trace)

    async def next(self, within: float = 2.0) -> Event | None:
        """The next event (comments and `retry:` skipped); None when the stream ends.
        Raises TimeoutError when nothing comes within `within` seconds."""
        assert self._lines is not None
        async with asyncio.timeout(within):
            name, data = "message", []
            async for line in self._lines:
                if line == "":
                    if data:
                        return Event(name, "\n".join(data))
                    name = "message"
                    continue
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)
            return Event(name, "\n".join(data)) if data else None
