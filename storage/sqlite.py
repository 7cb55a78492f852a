"""The SQLite repository: one file, WAL, every feature's store on two connections.

A commit is durable (`synchronous=FULL`): an officer who was told "recorded" must find
it there after a power cut. Each feature keeps its queries in its own `sqlite_*.py`
store; this class puts them together and owns opening, migrating and backing up.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from storage.migrations import MIGRATIONS
from storage.sqlite_board_view import BoardViewStore
from storage.sqlite_boards import BoardStore
from storage.sqlite_choices import ChoiceStore
from storage.sqlite_core import CoreStore
from storage.sqlite_leads import LeadStore
from storage.sqlite_notices import NoticeStore
from storage.sqlite_participants import ParticipantStore
from storage.sqlite_renewals import RenewalStore
from storage.sqlite_schedule import ScheduleStore
from storage.sqlite_screens import ScreenStore
from storage.sqlite_sms import SmsStore
from storage.sqlite_zalo import ZaloStore

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


class SQLiteRepository(
    CoreStore,
    BoardStore,
    BoardViewStore,
    SmsStore,
    LeadStore,
    ScheduleStore,
    ParticipantStore,
    ScreenStore,
    ChoiceStore,
    NoticeStore,
    RenewalStore,
    ZaloStore,
):
    """Open with `await SQLiteRepository.open(path)`; migrates the schema itself."""

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteRepository:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            for pragma in _PRAGMAS:
                await writer.execute(pragma)
            await _migrate(writer)
            reader = await aiosqlite.connect(path, isolation_level=None)
        except BaseException:
            await writer.close()
            raise
        for pragma in _PRAGMAS[1:]:
            await reader.execute(pragma)
        return cls(writer, reader)

    async def close(self) -> None:
        if self._entry_flusher is not None:
            await self._entry_flusher  # entries already accepted are committed first
        await self._reader.close()
        await self._writer.close()

    async def backup(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._write_lock:
            await self._writer.execute("VACUUM INTO ?", (str(target),))


async def _migrate(db: aiosqlite.Connection) -> None:
    """Apply each numbered migration the file has not seen yet, in order.

    Every applied number is recorded, not just the highest: a migration merged after a
    higher-numbered one still runs.
    """
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (number INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    applied = {row[0] for row in await db.execute_fetchall("SELECT number FROM schema_migrations")}
    for number, script in MIGRATIONS:
        if number in applied:
            continue
        await db.executescript(
            f"BEGIN IMMEDIATE;\n{script}\n"
            f"INSERT INTO schema_migrations (number) VALUES ({number});\n"
            f"PRAGMA user_version = {max(number, *applied, 0)};\nCOMMIT;"
        )
        applied.add(number)
