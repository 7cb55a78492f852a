"""Friday's reminder: who is behind pace, and what their reminder says.

Behind means behind the expected-by-today count in at least one program that has a
target, and not yet at 100% of it. The list is drawn up when the reminder fires; each
text is written when it is sent, from the numbers of that moment, so someone who
caught up in between is not nagged (their delivery is skipped).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date

from commands.boards import combined_target
from commands.measure import member_progress
from commands.render import period_label, progress_line
from locales import Translator
from storage.repository import Repository
from tracker.models import Member, TargetKind
from tracker.periods import Period
from tracker.progress import Pace, Progress, measure
from tracker.rules import Rules


def is_behind(progress: Progress) -> bool:
    return progress.pace is Pace.BEHIND and not progress.reached


PAGE = 2_000
"""Members weighed at a time, with their quota books and totals. The whole country at
once (60,000 members, most of them behind early in a month) held about 90 MB in the bot
at each Friday's reminder and made most of its peak memory (issue 15); a page is a few
MB, and 30 pages are 90 reads."""


async def members_behind(
    repo: Repository, rules: Rules, period: Period, today: date, *, page: int = PAGE
) -> AsyncIterator[Member]:
    """Every member behind pace over `period` as of `today`, tree by tree, by id within
    a tree: read `page` members at a time, and yielded, not gathered, so that no more
    than a page is held."""
    for root in await repo.root_units():
        after = 0
        while members := await repo.subtree_members(root.id, after=after, limit=page):
            ids = (members[0].id, members[-1].id)
            books = await repo.subtree_quota_books(TargetKind.MEMBER, root.id, ids=ids)
            achieved: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for total in await repo.member_totals(root.id, period.key, ids=ids):
                achieved[total.key][total.program] += total.achieved
            for member in members:
                book = books.get(member.id, {})
                for code in rules.program_codes:
                    target = combined_target(period, book, (code,))
                    done = achieved[member.id][code] if member.id in achieved else 0
                    if is_behind(measure(period, done, target, today)):
                        yield member
                        break
            after = members[-1].id


async def reminder_text(
    repo: Repository, rules: Rules, member: Member, period: Period, today: date, *, sms: bool
) -> str | None:
    """The member's reminder in their language (plain ASCII for SMS); None when they are
    no longer behind in any program."""
    t = Translator(member.language, plain=sms)
    measured = await member_progress(repo, member, period, rules.programs, today)
    lagging = [(program, progress) for program, progress in measured if is_behind(progress)]
    if not lagging:
        return None
    if sms:
        parts = [
            t(
                "reminder.sms_part",
                code=program.code,
                achieved=p.achieved,
                target=p.target or 0,
                gap=p.gap,
            )
            for program, p in lagging
        ]
        return t(
            "reminder.sms_text",
            period=period_label(t, period),
            parts="; ".join(parts),
            code=lagging[0][0].code,
        )
    lines = [t("reminder.title", name=member.name, period=period_label(t, period))]
    lines += [progress_line(t, program, progress) for program, progress in lagging]
    lines.append(t("reminder.footer", code=lagging[0][0].code))
    return "\n".join(lines)
