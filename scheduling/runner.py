"""The exactly-once runner: plan what is due, record it, then send it, once.

Order of events for one firing (a *occurrence*: the weekly summary of 2026-W47):

1. Planned: the occurrence and one delivery per target (bound group, or member behind
   pace) are written in one transaction. Nothing is sent before this commit, and a
   firing already recorded is never planned again: restarts and the three jobs that
   share 1 January 08:00 cannot make a second copy.
2. Each delivery is claimed (`sending`, attempt counted, committed), sent, and marked
   `sent`. A flood-wait, a network error or a gateway that is down (the message was
   not handed over) puts it back to `planned` and it is tried again after a doubling
   backoff: a few times at once, then in the background, until the policy's deadline
   (default: the end of the local day it was planned), when it is marked `failed` and
   counted. A refusal (blocked, kicked, chat not found, a 4xx from Kannel) marks it
   `failed` at once. So the start order of the bot and Kannel does not matter. One
   group's failure never holds up the others: deliveries run side by side, the rate
   limiter pacing them.
3. The crash window: if the process dies between the claim and the `sent` mark, the
   message may or may not have reached Telegram. On the next start such deliveries
   become `unknown` and are not sent again, but only when the process that claimed
   them (named by host, pid and start time: scheduling.owner) is gone, so a second
   process started beside a live one leaves its sends alone. With several processes on
   one database, each run checks again (a process on another host is gone when its
   heartbeat lease ran out), so a survivor settles a dead one's sends without a restart.
   The product promises "never twice", and a lost weekly summary costs less than a
   duplicated one in forty groups. The same goes for a timeout after the request left.
   Both are logged for the operator.

A firing missed while the bot was down is planned at start if it is still within the
grace (default 3 days); older ones are let go (logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta

from commands.context import Services
from commands.notices import NoticeSender
from commands.summary import current_poster, register_poster, unregister_poster
from commands.summary_data import build_summary
from leaderboards.chart_data import TrendChart
from locales import Translator
from scheduling.due_reminders import due_reminder_text, members_with_dues
from scheduling.outbox import Outcome, Result, TelegramOut
from scheduling.owner import alive_by_lease, this_process
from scheduling.private import reachable, send_privately
from scheduling.reminders import members_behind, reminder_text
from scheduling.triggers import (
    SUMMARY_PERIODS,
    JobKind,
    ScheduleConfig,
    due,
    occurrence_key,
    reported_period,
)
from scheduling.zalo_out import ZaloOut
from storage.repository import Repository
from storage.schedule_repository import Delivery, DeliveryState, Occurrence, Target
from tracker.models import TargetKind, Unit
from tracker.periods import Period, local_day, parse_period

logger = logging.getLogger(__name__)

MANUAL = "manual"
"""The kind of a summary a lead posts with /tonghop; its key is `period@request`."""

Render = Callable[[TrendChart], Awaitable[bytes]]


def draw_trend(chart: TrendChart) -> bytes:
    """`render_trend`, with the drawing stack imported where the chart is drawn: in a
    chart worker process (`render_in`) the bot's own process never loads it (about 45 MB,
    leaderboards.charts)."""
    from leaderboards.charts import render_trend

    return render_trend(chart)


async def render_in_thread(chart: TrendChart) -> bytes:
    return await asyncio.to_thread(draw_trend, chart)


def render_in(executor: Executor) -> Render:
    """Charts drawn by `executor`: a process pool keeps Monday's thousands of charts off
    the event loop's core (and its GIL), so gathering and sending go on meanwhile."""

    async def render(chart: TrendChart) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(executor, draw_trend, chart)

    return render


_FINAL = {
    Outcome.SENT: DeliveryState.SENT,
    Outcome.FAILED: DeliveryState.FAILED,
    Outcome.UNKNOWN: DeliveryState.UNKNOWN,
    Outcome.SKIPPED: DeliveryState.SKIPPED,
    Outcome.RETRY: DeliveryState.FAILED,  # out of attempts
}


class ScheduleRunner:
    def __init__(
        self,
        services: Services,
        config: ScheduleConfig,
        telegram: TelegramOut | None = None,
        *,
        render: Render = render_in_thread,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.services, self.config = services, config
        self.telegram = telegram
        self.zalo: ZaloOut | None = None
        """Set while the Zalo channel is up: summaries of units bound to a Zalo group."""
        # Reminders, and the summaries of units without a group, go to a person through
        # `services.notifier`: the channels that registered there (scheduling.private).
        self.render, self.sleep = render, sleep
        self._lock = asyncio.Lock()
        self._limit = asyncio.Semaphore(config.delivery.concurrency)
        self._waiting: set[tuple[str, str, Target]] = set()
        self._background: set[asyncio.Task[None]] = set()
        self.given_up = 0
        """Messages marked failed because they could not be handed over by the deadline."""
        self.scheduled: Callable[[], bool] = lambda: False
        """True while a scheduler fires this runner (what /healthz reports)."""

    @property
    def repo(self) -> Repository:
        return self.services.repo

    async def recover(self) -> int:
        """At start and each run: deliveries cut off mid-send by a process that is gone
        (this host's kernel, another host's lease: scheduling.owner) become `unknown`
        (see the module doc); a live process's sends are left alone."""
        now = self.services.clock()
        alive = alive_by_lease(await self.repo.processes_seen(), now)
        count: int = await self.repo.abandon_interrupted(now, alive)
        if count:
            logger.warning("%d scheduled message(s) were cut off mid-send: not resent", count)
        return count

    async def run_due(self) -> None:
        """Plan every firing due by now and not yet recorded, then send what is pending."""
        async with self._lock:
            # Another process on the database may have died mid-send since: its sends
            # become `unknown` now, not at our next start (one query when none did).
            await self.recover()
            now = self.services.clock()
            for kind, fire_at in due(self.config, now):
                await self._plan(kind, fire_at)
            await self._deliver_open()

    async def post_now(self, unit: Unit, period: Period, request_key: str) -> Result:
        """A lead's /tonghop: the summary of `period` so far, to the unit's group, once per
        request (a redelivered command finds it recorded)."""
        occurrence = Occurrence(MANUAL, f"{period.key}@{request_key}", self.services.clock())
        target = Target(TargetKind.UNIT, unit.id)
        await self.repo.plan_occurrence(occurrence, [target], occurrence.fire_at)
        # Sent right here, not behind a Monday fan-out holding the lock: the claim alone
        # keeps a concurrent sweep from sending it too.
        [delivery] = await self.repo.deliveries(occurrence.kind, occurrence.period_key)
        if delivery.state is DeliveryState.PLANNED:
            await self._deliver(occurrence, delivery)
        await self.repo.close_occurrence(MANUAL, occurrence.period_key, self.services.clock())
        [delivery] = await self.repo.deliveries(occurrence.kind, occurrence.period_key)
        outcome = {DeliveryState.SENT: Outcome.SENT, DeliveryState.SKIPPED: Outcome.SKIPPED}
        return Result(outcome.get(delivery.state, Outcome.FAILED))

    async def _plan(self, kind: JobKind, fire_at: datetime) -> None:
        key = occurrence_key(kind, fire_at, self.config.reminder_period)
        if await self.repo.occurrence_recorded(kind.value, key):
            return
        if kind in SUMMARY_PERIODS and not self._any_channel():
            return  # no channel at all: left unrecorded, it goes out once one is back
        now = self.services.clock()
        targets: list[Target] = []
        if kind is JobKind.REMINDER:
            day = local_day(fire_at)
            period = reported_period(kind, fire_at, self.config.reminder_period)
            if day not in self.services.rules.holidays:  # no nagging on a day off
                rules, today = self.services.rules, local_day(now)
                async for member in members_behind(self.repo, rules, period, today):
                    if await reachable(self.services, member):  # only those we can reach
                        targets.append(Target(TargetKind.MEMBER, member.id))
        elif kind is JobKind.DUE_REMINDER:
            for member_id in await members_with_dues(self.repo, local_day(fire_at)):
                member = await self.repo.member(member_id)
                if await reachable(self.services, member):
                    targets.append(Target(TargetKind.MEMBER, member.id))
        else:
            targets = await self._summary_targets()
        occurrence = Occurrence(kind.value, key, fire_at)
        if await self.repo.plan_occurrence(occurrence, targets, now):
            logger.info("planned %s %s: %d message(s)", kind.value, key, len(targets))

    def _any_channel(self) -> bool:
        return bool(self.telegram or self.zalo or self.services.notifier.channels)

    async def _group_of(self, unit: Unit) -> tuple[str, int | str] | None:
        """The group a summary of `unit` goes to, on a channel running now: its Zalo group
        where it has one (that is where the team lives), else its Telegram group. One
        group per summary, so exactly once stays exactly once."""
        if self.zalo is not None:
            zalo_group = await self.repo.zalo_group(unit.id)
            if zalo_group is not None:
                return "zalo", zalo_group
        if self.telegram is not None and unit.group_chat_id is not None:
            return "telegram", unit.group_chat_id
        return None

    async def _summary_targets(self) -> list[Target]:
        """Every unit with a group the bot can post to; for each other unit, its leads,
        privately, when a channel reaches them."""
        targets = []
        posted = set()
        for unit in await self.repo.bound_units():
            if await self._group_of(unit) is not None:
                targets.append(Target(TargetKind.UNIT, unit.id))
                posted.add(unit.id)
        for lead in await self.repo.unit_leads():
            if lead.unit_id not in posted and await reachable(self.services, lead):
                targets.append(Target(TargetKind.MEMBER, lead.id))
        return targets

    async def _deliver_open(self) -> None:
        """Every pending delivery of every open occurrence, side by side (the semaphore
        and the rate limiter pace them), then each occurrence closed."""
        occurrences = await self.repo.open_occurrences()
        sends = []
        now = self.services.clock()
        for occurrence in occurrences:
            for delivery in await self.repo.deliveries(occurrence.kind, occurrence.period_key):
                if delivery.state is not DeliveryState.PLANNED:
                    continue
                if delivery.retry_at is not None and delivery.retry_at > now:
                    # Waiting for its next try (after a restart: nobody waits for it yet).
                    wait = (delivery.retry_at - now).total_seconds()
                    self._retry_later(occurrence, delivery, wait)
                    continue
                sends.append(self._deliver(occurrence, delivery))
        await asyncio.gather(*sends)
        for occurrence in occurrences:
            await self.repo.close_occurrence(
                occurrence.kind, occurrence.period_key, self.services.clock()
            )

    async def _deliver(self, occurrence: Occurrence, delivery: Delivery) -> None:
        """Claim, send, record. A message not handed over (RETRY) is tried again after a
        doubling wait: `attempts` times in a row here, then from a background task, until
        the policy's deadline; then it is marked failed and counted in `given_up`."""
        policy = self.config.delivery
        deadline = policy.deadline(occurrence.planned_at or occurrence.fire_at)
        while True:
            async with self._limit:  # held for one attempt, not through the backoff
                now = self.services.clock()
                attempt = await self.repo.claim_delivery(delivery, now, this_process())
                if attempt is None:
                    return
                try:
                    result = await self._send(occurrence, delivery)
                except Exception as error:  # a bug or a database hiccup: not worth a retry
                    logger.exception("scheduled %s %s failed", occurrence.kind, delivery.target)
                    result = Result(Outcome.FAILED, detail=repr(error))
                now = self.services.clock()
                if result.outcome is not Outcome.RETRY:
                    await self._finish(occurrence, delivery, result, attempt)
                    return
                doubled = policy.backoff_seconds * 2 ** min(attempt - 1, 30)
                wait = max(result.wait, min(doubled, policy.max_backoff_seconds))
                retry_at = now + timedelta(seconds=wait)
                if retry_at > deadline:
                    self.given_up += 1
                    detail = f"not handed over by {deadline.isoformat()}: {result.detail}"
                    gave_up = Result(Outcome.FAILED, result.channel, detail)
                    await self._finish(occurrence, delivery, gave_up, attempt)
                    return
                await self.repo.finish_delivery(
                    delivery, DeliveryState.PLANNED, now, channel=result.channel,
                    error=result.detail, retry_at=retry_at,
                )  # fmt: skip
            if attempt >= policy.attempts:
                self._retry_later(occurrence, delivery, wait)
                return
            await self.sleep(wait)

    def _retry_later(self, occurrence: Occurrence, delivery: Delivery, wait: float) -> None:
        """Try `delivery` again in `wait` seconds, without holding up the other firings
        (the run's lock is not held while it waits)."""
        key = (delivery.kind, delivery.period_key, delivery.target)
        if key in self._waiting:
            return
        self._waiting.add(key)

        async def later() -> None:
            try:
                await self.sleep(wait)
            finally:
                self._waiting.discard(key)
            await self._deliver(occurrence, delivery)
            await self.repo.close_occurrence(
                occurrence.kind, occurrence.period_key, self.services.clock()
            )

        task = asyncio.create_task(later(), name=f"retry {key}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        """Stop waiting retries (at shutdown): their messages stay planned, with the time
        of their next try, for the next start."""
        for task in list(self._background):
            task.cancel()
        for task in list(self._background):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _finish(
        self, occurrence: Occurrence, delivery: Delivery, result: Result, attempt: int
    ) -> None:
        if result.outcome not in (Outcome.SENT, Outcome.SKIPPED):
            logger.warning(
                "scheduled %s %s to %s: %s after %d attempt(s): %s", occurrence.kind,
                occurrence.period_key, delivery.target, result.outcome, attempt, result.detail,
            )  # fmt: skip
        await self.repo.finish_delivery(
            delivery, _FINAL[result.outcome], self.services.clock(), channel=result.channel,
            error=result.detail or None,
        )  # fmt: skip

    async def _send(self, occurrence: Occurrence, delivery: Delivery) -> Result:
        target = delivery.target
        if target.kind is TargetKind.MEMBER and occurrence.kind == JobKind.DUE_REMINDER:
            return await self._remind_due(occurrence, target.id)
        if target.kind is TargetKind.MEMBER and occurrence.kind == JobKind.REMINDER:
            return await self._remind(occurrence, target.id)
        if target.kind is TargetKind.MEMBER:
            return await self._summary_to_lead(occurrence, target.id)
        unit = await self.repo.unit(target.id)
        group = await self._group_of(unit)
        if group is None:
            return Result(Outcome.SKIPPED, detail="no group bound")
        period = self._summary_period(occurrence)
        under_way = local_day(self.services.clock()) <= period.last
        caption, png = await self.summary(unit, period, so_far=under_way)
        channel, chat_id = group
        if channel == "zalo" and self.zalo is not None:
            return await self.zalo.photo(str(chat_id), png, caption, "tong-hop.png")
        assert self.telegram is not None and isinstance(chat_id, int)
        return await self.telegram.photo(chat_id, png, caption, "tong-hop.png")

    def _summary_period(self, occurrence: Occurrence) -> Period:
        if occurrence.kind == MANUAL:
            return parse_period(occurrence.period_key.split("@", 1)[0])
        kind = JobKind(occurrence.kind)
        return reported_period(kind, occurrence.fire_at, self.config.reminder_period)

    async def _summary_to_lead(self, occurrence: Occurrence, lead_id: int) -> Result:
        """A unit without a group: its lead reads the summary privately, in their language
        (an SMS carries the start of the text, no chart)."""
        lead = await self.repo.member(lead_id)
        unit = await self.repo.unit(lead.unit_id)
        period = self._summary_period(occurrence)
        under_way = local_day(self.services.clock()) <= period.last

        async def compose(sender: NoticeSender) -> Result:
            t = Translator(lead.language, plain=sender.plain)
            if sender.plain:
                text, _ = await build_summary(
                    self.repo, self.services.rules, unit, period,
                    local_day(self.services.clock()), so_far=under_way, t=t,
                )  # fmt: skip
                return await sender.send(lead, text)
            caption, png = await self.summary(unit, period, so_far=under_way, t=t)
            return await sender.send_photo(lead, png, caption, t("summary.file_name"))

        return await send_privately(self.services, lead, compose, "")

    async def summary(
        self, unit: Unit, period: Period, *, so_far: bool, t: Translator | None = None
    ) -> tuple[str, bytes]:
        """The caption and chart PNG of `unit`'s summary of `period` (Vietnamese, for a
        group, unless `t` says otherwise)."""
        today = local_day(self.services.clock())
        text, chart = await build_summary(
            self.repo,
            self.services.rules,
            unit,
            period,
            today,
            so_far=so_far,
            top_size=self.config.summary_top,
            t=t,
        )
        return text, await self.render(chart)

    async def _remind(self, occurrence: Occurrence, member_id: int) -> Result:
        member = await self.repo.member(member_id)
        fire_at = occurrence.fire_at
        period = reported_period(JobKind.REMINDER, fire_at, self.config.reminder_period)
        today = min(local_day(self.services.clock()), period.last)
        rules = self.services.rules

        async def compose(sender: NoticeSender) -> Result | None:
            text = await reminder_text(self.repo, rules, member, period, today, sms=sender.plain)
            return None if text is None else await sender.send(member, text)

        return await send_privately(self.services, member, compose, "caught up")

    async def _remind_due(self, occurrence: Occurrence, member_id: int) -> Result:
        member = await self.repo.member(member_id)
        today = local_day(occurrence.fire_at)  # the week it fired for, even if sent late

        async def compose(sender: NoticeSender) -> Result | None:
            text = await due_reminder_text(self.repo, member, today, sms=sender.plain)
            return None if text is None else await sender.send(member, text)

        return await send_privately(self.services, member, compose, "renewed meanwhile")


def activate(runner: ScheduleRunner) -> None:
    """This process's runner posts the summaries leads ask for (/tonghop)."""
    register_poster(runner)


def deactivate(runner: ScheduleRunner) -> None:
    unregister_poster(runner)


def active_runner() -> ScheduleRunner | None:
    poster = current_poster()
    return poster if isinstance(poster, ScheduleRunner) else None
