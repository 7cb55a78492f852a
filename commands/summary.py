"""`/tonghop [kỳ]` (`/summary`): a lead sees the unit's summary now, as its group would.

In a private chat (or the console) the lead reads the summary itself; when the unit has a
team group, it is also posted there. Posting goes through the scheduler of this process
(its chart, retries and bookkeeping), which registers itself here when it starts:
commands never import the scheduler.
"""

from __future__ import annotations

from typing import Protocol

from commands.context import GroupPost, Reply, Request
from commands.grammar import parse_period_words
from commands.render import period_label
from commands.summary_data import build_summary
from locales import Translator
from tracker.models import Member, Unit
from tracker.periods import Period


class PostResult(Protocol):
    @property
    def outcome(self) -> str:
        """`sent`, `skipped` or another word for a failure."""
        ...


class SummaryPoster(Protocol):
    async def post_now(self, unit: Unit, period: Period, request_key: str) -> PostResult: ...


_posters: list[SummaryPoster] = []


def register_poster(poster: SummaryPoster) -> None:
    """The scheduler of this process takes over posting summaries while it runs."""
    _posters.append(poster)


def unregister_poster(poster: SummaryPoster) -> None:
    if poster in _posters:
        _posters.remove(poster)


def current_poster() -> SummaryPoster | None:
    return _posters[-1] if _posters else None


async def post_summary(request: Request, args: list[str], member: Member) -> Reply:
    """The period so far (default: this month): shown to the lead, posted to the group."""
    period = parse_period_words(args, request.today)
    t, unit = request.t, await request.repo.unit(member.unit_id)
    so_far = request.today <= period.last
    text, _ = await build_summary(
        request.repo, request.rules, unit, period, request.today, so_far=so_far
    )
    # The lead's own copy in the lead's language; the group's stays Vietnamese.
    own = text
    if t.language != Translator().language or t.plain:
        own, _ = await build_summary(
            request.repo, request.rules, unit, period, request.today, so_far=so_far, t=t
        )
    label = period_label(t, period)
    if unit.group_chat_id is None and await request.repo.zalo_group(unit.id) is None:
        return Reply(f"{own}\n\n{t('summary.no_group', unit=unit.name)}")
    # Typed in the group itself, the post is what everyone sees: no second copy.
    shown = "" if request.group_chat_id == unit.group_chat_id else own + "\n\n"
    if not _posters:  # no scheduler in this process (the console): the post goes beside
        posted = t("summary.posted", period=label, unit=unit.name)
        return Reply(shown + posted, group_posts=[GroupPost(unit.id, text)])
    key = request.source_key or request.now.isoformat()
    result = await _posters[-1].post_now(unit, period, key)
    messages = {"sent": "summary.posted", "skipped": "summary.skipped"}
    return Reply(
        shown + t(messages.get(str(result.outcome), "summary.failed"), period=label, unit=unit.name)
    )
