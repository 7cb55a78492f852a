"""Boards of the new week, month, quarter and year made just after midnight.

The first view of a period's board makes it: every member's row, every unit's totals.
For a country that is seconds (a new month: about 7 s at 10M entries, benchmarks/
suite_national.py), paid by whoever asks first on Monday morning. Made at night, it is
paid by nobody. Making boards is idempotent, so two processes may both run this job:
the second finds nothing to make. A failure is logged and left to the first view, which
makes the board as it always did.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from storage.repository import Repository
from tracker.periods import KINDS_FINEST_FIRST, VIETNAM, Period, local_day, period_containing

logger = logging.getLogger(__name__)

READY_AT = CronTrigger(hour=0, minute=1, timezone=VIETNAM)
"""A minute into each local day: a new week, month, quarter or year begins at midnight."""


async def ready_current_boards(
    repo: Repository, programs: tuple[str, ...], now: datetime
) -> list[Period]:
    """Make the boards `/bxh` and `/donvi` show by default (all `programs` together)
    for every period that contains `now`'s local day; the periods that had to be made."""
    made = []
    for kind in KINDS_FINEST_FIRST:
        period = period_containing(kind, local_day(now))
        try:
            if await repo.ready_boards(period, programs):
                made.append(period)
        except Exception:  # the first view will make it; the other periods still can
            logger.exception("could not make the boards of %s ahead", period.key)
    if made:
        logger.info("boards made ahead: %s", ", ".join(period.key for period in made))
    return made
