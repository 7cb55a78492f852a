"""This process among the others on one database: it says it is alive every few seconds
(so another host can tell when it is gone: scheduling.owner's lease), tidies old update
claims, and tells /healthz who it is and which processes share the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from channels.parts import Part
from commands.context import Services
from scheduling.owner import HEARTBEAT, LEASE, alive_by_lease, this_process

logger = logging.getLogger(__name__)

KEEP_CLAIMS = timedelta(days=2)
"""Telegram gives up redelivering an update within a day; Kannel much sooner."""
TIDY_EVERY = 3600.0


class Presence:
    """This process: its name, start, and whether its last heartbeat was written."""

    def __init__(self, services: Callable[[], Services], started_at: datetime) -> None:
        self._services = services
        self.started_at = started_at
        self.owner = this_process()
        self._last_beat: float | None = None
        self._last_tidy = 0.0

    async def beat(self) -> None:
        services = self._services()
        now = services.clock()
        await services.repo.process_seen(self.owner, self.started_at, now)
        self._last_beat = time.monotonic()
        if self._last_beat - self._last_tidy >= TIDY_EVERY:
            self._last_tidy = self._last_beat
            forgotten = await services.repo.forget_updates(now - KEEP_CLAIMS)
            if forgotten:
                logger.info("forgot %d handled update claim(s) older than two days", forgotten)

    def alive(self) -> bool:
        """Seen by the database within the lease (what other hosts judge us by)."""
        beat = self._last_beat
        return beat is not None and time.monotonic() - beat < LEASE.total_seconds()

    async def describe(self) -> dict[str, Any]:
        """Who this process is, and the processes alive on the database now."""
        services = self._services()
        seen = await services.repo.processes_seen()
        alive = alive_by_lease(seen, services.clock())
        return {
            "process": {
                "name": self.owner,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": self.started_at.isoformat(),
            },
            "processes": sorted(owner for owner in seen if alive(owner)),
        }

    def part(self) -> Part:
        @asynccontextmanager
        async def running() -> AsyncIterator[None]:
            await self.beat()  # before serving: a claim is never held by an unseen process
            task = asyncio.create_task(self._keep_beating(), name="heartbeat")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        return Part("process", running, self.alive)

    async def _keep_beating(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            try:
                await self.beat()
            except Exception:  # the database part reports the outage; keep trying
                logger.exception("could not record this process as alive")
