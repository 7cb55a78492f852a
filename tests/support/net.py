"""Loopback helpers for tests: a free port, and an ASGI app served in the test's loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from typing import Any, Literal


def free_port(exclude: set[int] | None = None) -> int:
    """A TCP port that is free on 127.0.0.1 right now (and not in ``exclude``)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not exclude or port not in exclude:
            return port
    raise RuntimeError("could not find a free port on 127.0.0.1")


@contextlib.asynccontextmanager
async def serve_asgi(
    app: Any,
    *,
    lifespan: Literal["auto", "on", "off"] = "auto",
    startup_timeout: float = 10.0,
    port: int = 0,
) -> AsyncIterator[str]:
    """Run an ASGI app with uvicorn on a free 127.0.0.1 port (or `port`); yields its base URL.

    The server runs as a task of the current event loop and is shut down
    (gracefully, at most 2 s) when the block exits.
    """
    import uvicorn

    # IPPROTO_TCP explicitly: with protocol 0 asyncio leaves Nagle on, ~45 ms a reply.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        try:
            await server.serve(sockets=[sock])
        except SystemExit as exc:  # uvicorn exits when the app's lifespan startup fails
            raise RuntimeError(
                f"uvicorn exited with {exc.code}: ASGI lifespan startup failed"
            ) from None

    task = asyncio.create_task(serve())
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start in time")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        if not task.done():
            await task
        elif not task.cancelled():
            task.exception()  # already reported above; retrieve it so asyncio stays quiet
        sock.close()
