"""One computed board per unit, pushed to every page that shows it.

Hundreds of TVs and browsers may show one unit; none of them queries the database.
The hub keeps, per unit with a page open, the last rendered board event, and every
page's stream waits on its own slot for the next one. The hub recomputes a unit when
an entry change reaches it: a commit in this process wakes it at once
(`Repository.on_commit`), and every `recheck` seconds (half a second) it reads the
change counter of migration 0080 anyway, so entries logged by another process (the
console, a second bot) show up too. Changes that arrive while it computes are taken
together next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commands.context import Services
from commands.screen_board import ScreenData, gather_screen, screen_badges
from commands.summary_text import MemberBadges
from storage.screen_repository import Screen
from tracker.models import Unit
from tracker.periods import local_day

logger = logging.getLogger(__name__)

Render = Callable[[ScreenData, tuple[MemberBadges, ...]], bytes]
"""(board data, badges) -> one server-sent event, ready to write."""

REVOKED_EVENT = b"event: revoked\ndata: \n\n"


class Viewer:
    """One open page's stream: a slot for the newest event, never a backlog (a slow
    page skips boards it had no time to show, it never falls behind)."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.closed = False
        self._event: bytes | None = None
        self._wake = asyncio.Event()

    def send(self, event: bytes) -> None:
        self._event = event
        self._wake.set()

    def close(self, last: bytes | None = None) -> None:
        """End the stream after `last` (if any) is written."""
        self.closed = True
        if last is not None:
            self._event = last
        self._wake.set()

    async def next(self, within: float) -> bytes | None:
        """The next event to write; None when there is none within `within` seconds
        (write a heartbeat) or when the stream is over (`closed`)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self._wake.wait()
        self._wake.clear()
        event, self._event = self._event, None
        return event


@dataclass
class _Shown:
    """A unit some page shows: its last event and who watches it."""

    unit: Unit
    viewers: set[Viewer] = field(default_factory=set)
    event: bytes | None = None
    computed_at: datetime | None = None
    badges: tuple[MemberBadges, ...] = ()
    badges_at: datetime | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ScreenHub:
    def __init__(
        self,
        services: Services,
        render: Render,
        *,
        recheck: float = 0.5,
        refresh: timedelta = timedelta(minutes=5),
        badges_every: timedelta = timedelta(minutes=1),
    ) -> None:
        """`recheck`: seconds between reads of the change counter; `refresh`: how old a
        board may grow with no change before it is computed again (the clock on the
        page, a new day); `badges_every`: how often badges (one read per member) are."""
        self._services = services
        self._render = render
        self._recheck = recheck
        self._refresh = refresh
        self._badges_every = badges_every
        self._shown: dict[int, _Shown] = {}
        self._seq: int | None = None
        self._poked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.computations = 0
        """Boards gathered so far: one per unit and change, however many pages watch."""
        services.repo.on_commit(self._poked.set)

    @property
    def watching(self) -> bool:
        """The loop that looks for changes is running."""
        return self._task is not None and not self._task.done()

    @property
    def viewer_count(self) -> int:
        return sum(len(shown.viewers) for shown in self._shown.values())

    async def current(self, unit: Unit) -> bytes:
        """The unit's board event now (computed if no page shows it yet)."""
        shown = self._shown.get(unit.id) or _Shown(unit)
        await self._compute(shown, again=False)
        assert shown.event is not None
        return shown.event

    async def join(self, screen: Screen, unit: Unit) -> Viewer:
        """A page opens its stream: it gets the board at once, then every change."""
        viewer = Viewer(screen)
        shown = self._shown.setdefault(unit.id, _Shown(unit))
        shown.viewers.add(viewer)
        await self._compute(shown, again=False)  # pages opening together compute once
        if shown.event is not None:
            viewer.send(shown.event)
        return viewer

    def leave(self, viewer: Viewer) -> None:
        shown = self._shown.get(viewer.screen.unit_id)
        if shown is None:
            return
        shown.viewers.discard(viewer)
        if not shown.viewers:
            del self._shown[viewer.screen.unit_id]

    def close_all(self) -> None:
        """End every stream (the server is stopping: pages reconnect to the next one)."""
        for shown in list(self._shown.values()):
            for viewer in list(shown.viewers):
                viewer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._seq = (await self._services.repo.changes_since(None)).seq
        self._task = asyncio.create_task(self._watch(), name="screen-hub")
        try:
            yield
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self.close_all()

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._recheck):
                    await self._poked.wait()
            self._poked.clear()
            try:
                await self.check()
            except Exception:  # a failing round must not stop the screens for good
                logger.exception("screen hub: checking for changes failed")

    async def check(self) -> None:
        """One round: close revoked pages, recompute the units that changed or aged."""
        repo = self._services.repo
        changes = await repo.changes_since(self._seq)
        due: set[int] = set()
        if changes.seq != self._seq:
            self._seq = changes.seq
            await self._close_revoked()
            due = {unit_id for unit_id in self._shown if unit_id in changes.units}
        now = self._services.clock()
        for unit_id, aging in self._shown.items():
            at = aging.computed_at  # None: its first board is being made right now
            if at is not None and (now - at >= self._refresh or local_day(at) != local_day(now)):
                due.add(unit_id)
        for unit_id in sorted(due):
            watched = self._shown.get(unit_id)
            if watched is not None and watched.viewers and await self._compute(watched):
                self._broadcast(watched)

    async def _close_revoked(self) -> None:
        open_screens = {v.screen.id for shown in self._shown.values() for v in shown.viewers}
        revoked = await self._services.repo.revoked_among(open_screens)
        if not revoked:
            return
        for shown in list(self._shown.values()):
            for viewer in list(shown.viewers):
                if viewer.screen.id in revoked:
                    viewer.close(REVOKED_EVENT)

    async def _compute(self, shown: _Shown, *, again: bool = True) -> bool:
        """Gather and render the unit's board; `again=False` keeps one already made.
        True when the board differs from the one pages have."""
        async with shown.lock:
            if not again and shown.event is not None:
                return False
            services = self._services
            now = services.clock()
            data = await gather_screen(services.repo, services.rules, shown.unit, now)
            if shown.badges_at is None or now - shown.badges_at >= self._badges_every:
                shown.badges = await screen_badges(services.repo, services.rules, shown.unit, now)
                shown.badges_at = now
            event = self._render(data, shown.badges)
            self.computations += 1
            shown.computed_at = now
            if event == shown.event:
                return False  # nothing a page shows has changed: nothing to send
            shown.event = event
            return True

    @staticmethod
    def _broadcast(shown: _Shown) -> None:
        assert shown.event is not None
        for viewer in shown.viewers:
            viewer.send(shown.event)
