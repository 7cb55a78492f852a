"""An outbound HTTP client that may be handed in (tests, a shared pool) or owned."""

from __future__ import annotations

from typing import Self

import httpx


class OwnedHttpClient:
    """Closes its httpx client only if it made it; usable as `async with`."""

    def __init__(self, client: httpx.AsyncClient | None, timeout: httpx.Timeout) -> None:
        # trust_env=False: no proxy from the environment; the bot talks to the servers it was given.
        self._client = client or httpx.AsyncClient(timeout=timeout, trust_env=False)
        self._owns_client = client is None

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
