"""Group commit for entries, on both backends: logs that arrive while a batch is being
stored wait together and go in the next batch, one transaction for all of them.

An officer's reply still waits for the commit that makes their entry durable, but forty
agents texting at once pay for a handful of commits, not forty. A backend says how it
stores one batch (`_record_batch`) and how many batches may be in flight at once
(`ENTRY_FLUSHERS`: SQLite has one writer; PostgreSQL runs a few on pooled connections,
so that its server cores work side by side).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from storage.store_base import EntryWork, Recorded

QueuedEntry = tuple[EntryWork, asyncio.Future[Recorded]]

BATCH_LIMIT = 64
"""Logs in one batch at most: a batch's transaction holds its rows' locks until the end."""


class GroupCommit(ABC):
    ENTRY_FLUSHERS = 1
    """Batches in flight at once."""

    def _init_group_commit(self) -> None:
        self._entry_queue: list[QueuedEntry] = []
        self._entry_flushers: set[asyncio.Task[None]] = set()

    async def _entries_stored(self) -> None:
        """Wait until every entry accepted so far is stored (before closing)."""
        while self._entry_flushers:
            await asyncio.gather(*self._entry_flushers, return_exceptions=True)

    @abstractmethod
    async def _record_batch(self, batch: list[EntryWork]) -> list[Recorded]:
        """Store `batch` in one transaction; its results in the same order."""

    @abstractmethod
    def _committed(self) -> None: ...

    async def _store_entry(self, work: EntryWork) -> Recorded:
        future: asyncio.Future[Recorded] = asyncio.get_running_loop().create_future()
        self._entry_queue.append((work, future))
        if len(self._entry_flushers) < self.ENTRY_FLUSHERS:
            flusher = asyncio.create_task(self._flush_entries())
            self._entry_flushers.add(flusher)
            flusher.add_done_callback(self._entry_flushers.discard)  # if cancelled unstarted
        return await future

    async def _flush_entries(self) -> None:
        try:
            await self._drain_entries()
        finally:
            # Before any other task runs: one that queues an entry now must see this
            # flusher gone and start another (a done-callback would come too late).
            self._entry_flushers.discard(asyncio.current_task())

    async def _drain_entries(self) -> None:
        """Drain the queue: whatever arrived while the last batch ran goes in the next."""
        while self._entry_queue:
            batch = self._entry_queue[:BATCH_LIMIT]
            del self._entry_queue[:BATCH_LIMIT]
            try:
                results = await self._record_batch([work for work, _ in batch])
            except Exception:
                await self._record_one_by_one(batch)
                continue
            except BaseException as stopped:  # cancelled: its callers must not wait forever
                _fail(batch, stopped)
                raise
            self._committed()
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # its caller may have given up waiting
                    future.set_result(result)

    async def _record_one_by_one(self, batch: list[QueuedEntry]) -> None:
        """After a failed batch: one bad entry must not sink the others."""
        for work, future in batch:
            try:
                [result] = await self._record_batch([work])
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
            else:
                self._committed()
                if not future.done():
                    future.set_result(result)


def _fail(batch: list[QueuedEntry], error: BaseException) -> None:
    for _, future in batch:
        if future.done():
            continue
        if isinstance(error, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(error)
