"""An update handled once across bot processes, whichever of them it reaches.

Telegram in webhook mode behind a load balancer may post an update to any process, and
post it again (to any process) when an answer was slow; Kannel may call again too. Each
update is claimed by its key (`tg:<update_id>`, an SMS's source key) in the database:

- the first claim handles it and records it done (with its reply, for SMS);
- a later delivery of a done update does nothing again (an SMS gets the same reply:
  Kannel calls again only when the first answer never reached it);
- a delivery that finds the claim open waits a little for its owner to finish; when
  the owner is gone (scheduling.owner's rule: this host's kernel, another host's lease)
  it takes the update over, so a process killed mid-update loses nothing; when the owner
  is alive but slow, the caller answers "busy" and the channel delivers it again later.

A handler that fails drops its claim: the next delivery handles the update afresh
(entries are keyed by their source, so a retried log still counts once).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from commands.context import Services
from scheduling.owner import alive_by_lease, this_process
from storage.processes_repository import ClaimState

WAIT_FOR_OWNER = 5.0
"""Seconds a second delivery waits for a live owner to finish before answering busy."""
POLL = 0.1


class Handled(StrEnum):
    NOW = "now"
    """Handled by this call."""
    BEFORE = "before"
    """Handled already: nothing was done again."""
    BUSY = "busy"
    """A live process is still handling it: deliver it again later."""


@dataclass(frozen=True)
class Once:
    handled: Handled
    reply: str | None = None


async def handle_once(
    services: Services,
    key: str,
    work: Callable[[], Awaitable[str | None]],
    *,
    wait: float = WAIT_FOR_OWNER,
) -> Once:
    """Run `work` (which returns the reply to keep, or None) unless `key` was handled."""
    repo, owner = services.repo, this_process()
    give_up = time.monotonic() + wait
    while True:
        claim = await repo.claim_update(key, owner, services.clock())
        if claim.state is ClaimState.MINE:
            break
        if claim.state is ClaimState.DONE:
            return Once(Handled.BEFORE, claim.reply)
        now = services.clock()
        if not alive_by_lease(await repo.processes_seen(), now)(claim.owner):
            if await repo.take_over_update(key, claim.owner, owner, now):
                break
            continue
        if time.monotonic() >= give_up:
            return Once(Handled.BUSY)
        await asyncio.sleep(POLL)
    try:
        reply = await work()
    except Exception:
        await repo.release_update(key, owner)
        raise
    await repo.finish_update(key, owner, services.clock(), reply)
    return Once(Handled.NOW, reply)
