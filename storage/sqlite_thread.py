"""One SQLite connection owned by one thread: `await thread.run(fn)` runs `fn(connection)`
there and hands back its result (Datasette's `execute_write_fn` shape).

sqlite3 blocks, so the event loop must not call it; a connection may only be used by the
thread that opened it. Each unit of work (a statement, or a whole transaction written
as a plain function) crosses to the thread once. This replaces aiosqlite, which offers
only one statement per crossing in its public API (running a function there needed its
private `_execute`, see omnilib/aiosqlite#19).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

Work = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():  # its caller stopped waiting; the work itself was done
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class ConnectionThread:
    """Open with `await ConnectionThread.open(connect, name)`; close with `close()`."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        self._connect = connect
        self._queue: queue.SimpleQueue[Work | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._closed = False
        self.crossings = 0
        """Units of work run so far: what a write function saves is visible here."""

    @classmethod
    async def open(cls, connect: Callable[[], sqlite3.Connection], name: str) -> ConnectionThread:
        """Start the thread and open the connection on it (raising what connect raised)."""
        thread = cls(connect, name)
        thread._thread.start()
        try:
            await thread.run(lambda connection: None)
        except BaseException:
            await thread.close()
            raise
        return thread

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self.crossings += 1
        self._queue.put((work, future, loop))
        return await future

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        """One statement; its rows (none for a statement that returns none)."""
        return await self.run(lambda connection: connection.execute(sql, params).fetchall())

    async def close(self) -> None:
        """Finish the work already queued, close the connection, end the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        await asyncio.to_thread(self._thread.join)

    def _serve(self) -> None:
        opening_error: BaseException | None = None
        connection: sqlite3.Connection | None = None
        try:
            connection = self._connect()
        except BaseException as failure:
            opening_error = failure
        while (item := self._queue.get()) is not None:
            work, future, loop = item
            result: Any = None
            problem = opening_error
            if connection is not None:
                try:
                    result = work(connection)
                except BaseException as failure:
                    problem = failure
            # The loop may have closed meanwhile: then nobody waits for the answer.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, result, problem)
        if connection is not None:
            connection.close()
