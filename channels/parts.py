"""The parts of the running process, each opened and closed by one lifespan.

Starlette's way: startup and shutdown are one async context manager. Here each part
(the database, the SMS sender, the scheduler, each chat channel) is its own context
manager, registered by name, and `Parts.running()` opens them in order and closes them
in reverse. A part fails alone:

- a `required` part (the database) that cannot open stops the start: nothing works
  without it, and /healthz answers 503 whenever its probe fails;
- a `retry` part (a chat channel reached over the network) that cannot open is tried
  again in the background, the wait doubling up to a ceiling, while everything else
  runs; /healthz names it `retrying`;
- any other part that cannot open is logged and named `failed`; the rest run on.

Adding a chat channel is one `Part(name, open, probe, retry=True)` in the wiring.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)

Probe = Callable[[], bool | Awaitable[bool]]

PROBE_TIMEOUT = 3.0
"""Seconds a health probe may take before it counts as failed."""


class PartState(StrEnum):
    STARTING = "starting"
    UP = "up"
    DOWN = "down"
    """Opened, but its probe fails now."""
    RETRYING = "retrying"
    """Could not open; tried again in the background."""
    FAILED = "failed"
    """Could not open; not tried again (the log says why)."""
    STOPPED = "stopped"


@dataclass(frozen=True)
class Part:
    """One named part: `open()` is entered at start and exited at shutdown."""

    name: str
    open: Callable[[], AbstractAsyncContextManager[object]]
    probe: Probe | None = None
    required: bool = False
    retry: bool = False


@asynccontextmanager
async def nothing_to_open() -> AsyncIterator[None]:
    yield


def probe_only(name: str, probe: Probe, *, required: bool = False) -> Part:
    """A part opened elsewhere (by the caller) that /healthz should still name."""
    return Part(name, nothing_to_open, probe, required=required)


@dataclass(frozen=True)
class RetryPolicy:
    first_wait: float = 1.0
    max_wait: float = 60.0
    first_try: float = 10.0
    """Seconds the start waits for a retried part's first attempt: a reachable server is
    up before the first request is served; an unreachable one delays nothing longer."""


class Parts:
    """The registered parts, their states, and the lifespan that runs them."""

    def __init__(self, retry: RetryPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()
        self._parts: list[Part] = []
        self._states: dict[str, PartState] = {}
        self.attempts: dict[str, int] = {}
        """Opening attempts per part (a retried channel counts up)."""

    def add(self, part: Part) -> None:
        if any(existing.name == part.name for existing in self._parts):
            raise ValueError(f"a part named {part.name!r} is already registered")
        self._parts.append(part)

    def names(self) -> list[str]:
        return [part.name for part in self._parts]

    def state(self, name: str) -> PartState:
        return self._states.get(name, PartState.STOPPED)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Open every part in order; close what opened, in reverse, on the way out."""
        stop = asyncio.Event()
        background: list[asyncio.Task[None]] = []
        async with AsyncExitStack() as stack:
            for part in self._parts:
                if part.retry:
                    self._states[part.name] = PartState.STARTING
                    tried = asyncio.Event()
                    task = asyncio.create_task(self._keep_open(part, stop, tried), name=part.name)
                    background.append(task)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.retry.first_try):
                            await tried.wait()
                    continue
                self._states[part.name] = PartState.STARTING
                self.attempts[part.name] = self.attempts.get(part.name, 0) + 1
                try:
                    await stack.enter_async_context(part.open())
                except Exception:
                    if part.required:
                        self._states[part.name] = PartState.FAILED
                        raise
                    logger.exception("%s could not start: the other parts run on", part.name)
                    self._states[part.name] = PartState.FAILED
                    continue
                self._states[part.name] = PartState.UP
                stack.callback(self._states.__setitem__, part.name, PartState.STOPPED)
            try:
                yield
            finally:
                # Channels first (they were opened last and use the rest), then the others.
                stop.set()
                for task in background:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def _keep_open(self, part: Part, stop: asyncio.Event, tried: asyncio.Event) -> None:
        """Open `part`, retrying with a doubling wait until it opens or the process stops;
        then hold it open until the process stops, and close it in this same task."""
        wait = self.retry.first_wait
        while not stop.is_set():
            self.attempts[part.name] = self.attempts.get(part.name, 0) + 1
            try:
                async with part.open():
                    self._states[part.name] = PartState.UP
                    tried.set()
                    logger.info("%s is up", part.name)
                    await stop.wait()
                self._states[part.name] = PartState.STOPPED
                return
            except Exception as error:
                self._states[part.name] = PartState.RETRYING
                tried.set()
                logger.warning(
                    "%s could not start (%s: %s); trying again in %.1f s",
                    part.name, type(error).__name__, error, wait,
                )  # fmt: skip
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await stop.wait()
            wait = min(wait * 2, self.retry.max_wait)
        self._states[part.name] = PartState.STOPPED

    async def report(self) -> tuple[bool, dict[str, str]]:
        """(serving, each part's state): an open part whose probe fails is `down`;
        serving is False only when a required part is not up."""
        checked = await asyncio.gather(*(self._checked_state(part) for part in self._parts))
        states = dict(zip(self.names(), checked, strict=True))
        serving = all(states[part.name] == PartState.UP for part in self._parts if part.required)
        return serving, {name: state.value for name, state in states.items()}

    async def _checked_state(self, part: Part) -> PartState:
        state = self.state(part.name)
        if state is not PartState.UP or part.probe is None:
            return state
        return PartState.UP if await run_probe(part.name, part.probe) else PartState.DOWN


async def run_probe(name: str, probe: Probe) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            result = probe()
            if inspect.isawaitable(result):
                result = await result
            return bool(result)
    except Exception:
        logger.exception("health probe %s failed", name)
        return False
