"""The office TV's hub as a part of the process (channels.parts): opened once the
database is, closed before it; /healthz names it `screens`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.parts import Part
from channels.tv.hub import ScreenHub
from channels.tv.routes import render_event

SCREENS = "screens"


def screens_part(state: Any) -> Part:
    """`state` is the app's state: its `services` are set when this part opens, and the
    routes find the hub at `state.screen_hub` (None while it is not running)."""

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        hub = ScreenHub(state.services, render_event)
        async with hub.running():
            state.screen_hub = hub
            try:
                yield
            finally:
                state.screen_hub = None

    def alive() -> bool:
        hub: ScreenHub | None = state.screen_hub
        return hub is not None and hub.watching

    return Part(SCREENS, running, alive)
