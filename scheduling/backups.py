"""The nightly backup (`[backup]` in config/schedule.toml): a consistent copy of the live
database into the configured directory, checked by reopening it, the oldest copies
beyond `keep` removed. A copy that does not read back is deleted and logged; the
older good copies stay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from pathlib import Path

from scheduling.triggers import BackupPlan
from storage.repository import Repository
from tracker.periods import VIETNAM

logger = logging.getLogger(__name__)

PREFIX = "quota-"
"""Backups are `quota-YYYYMMDD-HHMMSS.db`: only files named so are ever removed."""


def backup_name(now: datetime) -> str:
    return f"{PREFIX}{now.astimezone(VIETNAM):%Y%m%d-%H%M%S}.db"


async def nightly_backup(repo: Repository, plan: BackupPlan, now: datetime) -> Path | None:
    """One backup now, checked; then the oldest beyond `plan.keep` removed. The path of
    the new copy, or None when it could not be made (logged)."""
    target = plan.directory / backup_name(now)
    try:
        await repo.backup(target)
    except Exception:
        logger.exception("nightly backup into %s failed", target)
        with contextlib.suppress(OSError):  # a half-written copy must not pass for one
            await asyncio.to_thread(target.unlink, missing_ok=True)
        return None
    removed = await asyncio.to_thread(prune, plan.directory, plan.keep)
    logger.info("backup %s written and checked; %d old one(s) removed", target, len(removed))
    return target


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups (by name: the name is the time)."""
    backups = sorted(directory.glob(f"{PREFIX}*.db"))
    old = backups[: max(len(backups) - keep, 0)]
    for path in old:
        path.unlink()
    return old
