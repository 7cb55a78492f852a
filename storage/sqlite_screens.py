"""The office TV on SQLite: links (token hashes only) and the change counter of 0080."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from storage.screen_repository import Celebration, Changes, Screen
from storage.store_base import SCOPE, Db, StoreBase, under_scope, write_audit

_SCREEN_COLUMNS = "id, unit_id, hint, created_at, revoked_at"


def _screen_from(row: Any) -> Screen:
    return Screen(
        id=row[0],
        unit_id=row[1],
        hint=row[2],
        created_at=datetime.fromisoformat(row[3]),
        revoked_at=None if row[4] is None else datetime.fromisoformat(row[4]),
    )


def _subject(screen_id: int, hint: str) -> str:
    """How the audit log names a link: its number and hint, never the token."""
    return f"#{screen_id} ({hint}…)"


class ScreenStore(StoreBase):
    async def create_screen(
        self, unit_id: int, token_hash: str, hint: str, actor_id: int, now: datetime
    ) -> Screen:
        async def work(db: Db) -> Screen:
            rows = await db.execute_fetchall(
                "INSERT INTO screens (unit_id, token_hash, hint, created_by, created_at)"
                f" VALUES (?, ?, ?, ?, ?) RETURNING {_SCREEN_COLUMNS}",
                (unit_id, token_hash, hint, actor_id, now.isoformat()),
            )
            screen = _screen_from(next(iter(rows)))
            subject = _subject(screen.id, hint)
            await write_audit(db, now, actor_id, unit_id, "tv.create", subject, None, "on")
            return screen

        return await self._run_write(work)

    async def open_screens(self, unit_id: int) -> list[Screen]:
        rows = await self._all(
            f"SELECT {_SCREEN_COLUMNS} FROM screens"
            " WHERE unit_id = ? AND revoked_at IS NULL ORDER BY id",
            (unit_id,),
        )
        return [_screen_from(row) for row in rows]

    async def revoke_screen(
        self, screen_id: int, unit_id: int, actor_id: int, now: datetime
    ) -> Screen | None:
        async def work(db: Db) -> Screen | None:
            rows = await db.execute_fetchall(
                "UPDATE screens SET revoked_at = ?, revoked_by = ?"
                " WHERE id = ? AND unit_id = ? AND revoked_at IS NULL"
                f" RETURNING {_SCREEN_COLUMNS}",
                (now.isoformat(), actor_id, screen_id, unit_id),
            )
            found = next(iter(rows), None)
            if found is None:
                return None
            screen = _screen_from(found)
            subject = _subject(screen.id, screen.hint)
            await write_audit(db, now, actor_id, unit_id, "tv.revoke", subject, "on", None)
            return screen

        return await self._run_write(work)

    async def screen_by_token_hash(self, token_hash: str) -> Screen | None:
        row = await self._one(
            f"SELECT {_SCREEN_COLUMNS} FROM screens WHERE token_hash = ?", (token_hash,)
        )
        return None if row is None else _screen_from(row)

    async def revoked_among(self, screen_ids: Iterable[int]) -> set[int]:
        wanted = sorted(set(screen_ids))
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))
        rows = await self._all(
            f"SELECT id FROM screens WHERE id IN ({marks}) AND revoked_at IS NULL", wanted
        )
        return set(wanted) - {row[0] for row in rows}

    async def changes_since(self, seq: int | None) -> Changes:
        if self.CHANGE_HORIZON is not None:
            return await self._changes_since_horizon(seq, self.CHANGE_HORIZON)
        row = await self._one("SELECT seq FROM change_counter WHERE id = 1")
        now = int(row[0])
        if seq is None or now <= seq:
            return Changes(now, frozenset())
        rows = await self._all(
            "SELECT u.lineage FROM unit_changes c JOIN units u ON u.id = c.unit_id WHERE c.seq > ?",
            (seq,),
        )
        return Changes(now, _reached(lineage for (lineage,) in rows))

    async def _changes_since_horizon(self, seq: int | None, horizon: str) -> Changes:
        """Units marked by a transaction at or after the last horizon, read in the same
        statement (one snapshot) as the new horizon (migration postgres/0101)."""
        if seq is None:
            return Changes(int((await self._one(f"SELECT {horizon}"))[0]), frozenset())
        rows = await self._all(
            f"SELECT {horizon}, u.lineage FROM (SELECT 1) AS one LEFT JOIN"
            " (unit_changes c JOIN units u ON u.id = c.unit_id) ON c.seq >= ?",
            (seq,),
        )
        now = int(rows[0][0])
        return Changes(now, _reached(lineage for _, lineage in rows if lineage is not None))

    async def recent_celebrations(
        self, unit_id: int, month_key: str, limit: int
    ) -> list[Celebration]:
        rows = await self._all(
            SCOPE + "SELECT m.name, c.program, c.celebrated_at FROM celebrations c"
            " JOIN members m ON m.id = c.member_id JOIN units u ON u.id = m.unit_id"
            f" WHERE c.month_key = ? AND {under_scope('u')}"
            " ORDER BY c.celebrated_at DESC, m.name LIMIT ?",
            (unit_id, month_key, limit),
        )
        return [
            Celebration(name, program, datetime.fromisoformat(at)) for name, program, at in rows
        ]


def _reached(lineages: Iterable[str]) -> frozenset[int]:
    """Every unit whose board counts a change in these units: '/1/4/9/' is unit 9, under
    4, under 1."""
    return frozenset(int(part) for lineage in lineages for part in lineage.split("/") if part)
