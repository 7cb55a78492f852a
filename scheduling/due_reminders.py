"""Monday's due reminder: each officer hears how many of their participants fall due.

The list of members is drawn up when the reminder fires (anyone with a participant
whose paid-until date lies in the next `REMIND_AHEAD_DAYS` days); each text is written
when it is sent, from the numbers of that moment, so someone whose participants all
renewed in between is not told (their delivery is skipped).
"""

from __future__ import annotations

from datetime import date, timedelta

from locales import Translator
from storage.repository import Repository
from tracker.models import Member
from tracker.renewals import REMIND_AHEAD_DAYS


def ahead(today: date) -> tuple[date, date]:
    """The paid-until dates the reminder of `today` counts."""
    return today, today + timedelta(days=REMIND_AHEAD_DAYS)


async def members_with_dues(repo: Repository, today: date) -> list[int]:
    counts = await repo.due_counts_everywhere(*ahead(today))
    return sorted(member_id for member_id, count in counts.items() if count > 0)


async def due_reminder_text(
    repo: Repository, member: Member, today: date, *, sms: bool
) -> str | None:
    """The member's reminder in their language; None when nothing falls due any more."""
    first, last = ahead(today)
    count = len(await repo.due_for_member(member.id, first, last))
    if count == 0:
        return None
    t = Translator(member.language, plain=sms)
    return t("due.reminder", name=member.name, n=count, days=REMIND_AHEAD_DAYS, last=last)
