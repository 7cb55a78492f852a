"""Update claims on SQLite: kept in this process's memory, not in the file.

A SQLite file is served by one bot process (it lives on one machine; more than one
process on one database is what PostgreSQL is for), so the claims that keep an update
from being handled twice need not cross processes. In the file they would cost each
message two more turns of the single writer, each queued behind an entry's fsync: SMS
throughput fell by a third. A repeat still finds its first answer here; after a restart
the entries' source keys keep a redelivered message from counting twice, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.processes_repository import ClaimState, UpdateClaim


@dataclass
class _Claim:
    owner: str
    claimed_at: datetime
    done: bool = False
    reply: str | None = None


class MemoryClaimStore:
    """`ProcessRepository`'s update claims, in a dict (see the module doc)."""

    _claims: dict[str, _Claim]

    def _claim_book(self) -> dict[str, _Claim]:
        try:
            return self._claims
        except AttributeError:
            self._claims = {}
            return self._claims

    async def claim_update(self, key: str, owner: str, now: datetime) -> UpdateClaim:
        claims = self._claim_book()
        held = claims.get(key)
        if held is None:
            claims[key] = _Claim(owner, now)
            return UpdateClaim(ClaimState.MINE, owner)
        state = ClaimState.DONE if held.done else ClaimState.HELD
        return UpdateClaim(state, held.owner, held.reply)

    async def take_over_update(self, key: str, gone: str, owner: str, now: datetime) -> bool:
        held = self._claim_book().get(key)
        if held is None or held.owner != gone or held.done:
            return False
        held.owner, held.claimed_at = owner, now
        return True

    async def finish_update(self, key: str, owner: str, now: datetime, reply: str | None) -> None:
        held = self._claim_book().get(key)
        if held is not None and held.owner == owner:
            held.done, held.reply = True, reply

    async def release_update(self, key: str, owner: str) -> None:
        claims = self._claim_book()
        held = claims.get(key)
        if held is not None and held.owner == owner and not held.done:
            del claims[key]

    async def forget_updates(self, before: datetime) -> int:
        claims = self._claim_book()
        old = [key for key, held in claims.items() if held.claimed_at < before]
        for key in old:
            del claims[key]
        return len(old)
