"""The schedule: which job fires when (APScheduler cron triggers in Vietnamese time), which
period each firing reports on, and which firings are due after a restart.

A firing is named by what it is about, not by when it ran: the weekly summary that
fires on Monday 23/11/2026 is the summary of 2026-W47, the week that ended. That name
is what the database keeps, so moving the hour in the config never sends a period twice.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from tracker.periods import VIETNAM, Period, PeriodKind, local_day, period_containing

DEFAULT_SCHEDULE_FILE = Path(__file__).resolve().parent.parent / "config" / "schedule.toml"
_CRON_FIELDS = ("month", "day", "day_of_week", "hour", "minute")


class ScheduleError(ValueError):
    """The schedule file is wrong; the message names what to fix."""


class JobKind(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    REMINDER = "reminder"
    DUE_REMINDER = "due_reminder"
    """Each officer: how many of their participants fall due in the next 14 days."""


PER_MEMBER = {JobKind.REMINDER, JobKind.DUE_REMINDER}
"""Jobs that write to members one by one (named by their local day), not to groups."""
SUMMARY_PERIODS = {
    JobKind.WEEKLY: PeriodKind.WEEK,
    JobKind.MONTHLY: PeriodKind.MONTH,
    JobKind.QUARTERLY: PeriodKind.QUARTER,
}

_DEFAULT_CRON: dict[JobKind, dict[str, Any]] = {
    JobKind.WEEKLY: {"day_of_week": "mon", "hour": 8, "minute": 0},
    JobKind.MONTHLY: {"day": 1, "hour": 8, "minute": 0},
    JobKind.QUARTERLY: {"month": "1,4,7,10", "day": 1, "hour": 8, "minute": 0},
    JobKind.REMINDER: {"day_of_week": "fri", "hour": 16, "minute": 0},
    JobKind.DUE_REMINDER: {"day_of_week": "mon", "hour": 7, "minute": 30},
}


@dataclass(frozen=True)
class DeliveryPolicy:
    attempts: int = 4
    """Tries in a row (waiting `backoff_seconds`, doubling) before a message that could
    not be handed over waits in the background instead, until `retry_hours` run out."""
    backoff_seconds: float = 5.0
    concurrency: int = 16
    max_backoff_seconds: float = 300.0
    """The longest wait between two tries of one message."""
    retry_hours: float | None = None
    """How long after a firing is planned its messages are still tried; None: until the
    end of that local day. Then a message still not handed over is marked failed."""

    def deadline(self, planned_at: datetime) -> datetime:
        """The last moment a message planned at `planned_at` may still be tried."""
        if self.retry_hours is not None:
            return planned_at + timedelta(hours=self.retry_hours)
        day = local_day(planned_at) + timedelta(days=1)
        return datetime(day.year, day.month, day.day, tzinfo=VIETNAM)


@dataclass(frozen=True)
class BackupPlan:
    """The nightly backup: when (cron fields), into which directory, how many to keep."""

    cron: dict[str, Any]
    directory: Path
    keep: int = 7

    def trigger(self) -> CronTrigger:
        return CronTrigger(timezone=VIETNAM, **self.cron)


@dataclass(frozen=True)
class ScheduleConfig:
    cron: dict[JobKind, dict[str, Any]] = field(default_factory=lambda: dict(_DEFAULT_CRON))
    grace: timedelta = timedelta(days=3)
    summary_top: int = 5
    reminder_period: PeriodKind = PeriodKind.MONTH
    delivery: DeliveryPolicy = DeliveryPolicy()
    backup: BackupPlan | None = None
    """None: no nightly backup (the `[backup]` table is absent)."""

    def trigger(self, kind: JobKind) -> CronTrigger:
        return CronTrigger(timezone=VIETNAM, **self.cron[kind])


def parse_schedule(data: dict[str, Any]) -> ScheduleConfig:
    cron: dict[JobKind, dict[str, Any]] = {}
    for kind in JobKind:
        table = data.get(kind.value, {})
        fields = {name: table[name] for name in _CRON_FIELDS if name in table}
        cron[kind] = fields or _DEFAULT_CRON[kind]
        for name, value in [*cron[kind].items(), ("", None)]:
            # One field at a time first, so the message names the one to fix.
            try:
                CronTrigger(timezone=VIETNAM, **({name: value} if name else cron[kind]))
            except (ValueError, TypeError) as error:
                where = f"[{kind.value}] {name} = {value!r}" if name else f"[{kind.value}]"
                raise ScheduleError(f"{where}: {error}") from None
    grace_days = data.get("grace_days", 3)
    if not isinstance(grace_days, int | float) or grace_days < 0:
        raise ScheduleError("grace_days must be a number of days >= 0")
    top = data.get("summary_top", 5)
    if not isinstance(top, int) or top < 1:
        raise ScheduleError("summary_top must be a whole number >= 1")
    word = data.get("reminder", {}).get("period", "month")
    try:
        reminder_period = PeriodKind(word)
    except ValueError:
        raise ScheduleError("reminder.period must be week, month or quarter") from None
    if reminder_period is PeriodKind.YEAR:
        raise ScheduleError("reminder.period must be week, month or quarter")
    raw = data.get("delivery", {})
    retry_hours = raw.get("retry_hours")
    delivery = DeliveryPolicy(
        int(raw.get("attempts", 4)),
        float(raw.get("backoff_seconds", 5.0)),
        int(raw.get("concurrency", 16)),
        float(raw.get("max_backoff_seconds", 300.0)),
        None if retry_hours is None else float(retry_hours),
    )
    if delivery.attempts < 1 or delivery.backoff_seconds < 0 or delivery.concurrency < 1:
        raise ScheduleError("delivery: attempts and concurrency >= 1, backoff_seconds >= 0")
    if delivery.max_backoff_seconds < delivery.backoff_seconds:
        raise ScheduleError("delivery: max_backoff_seconds must be >= backoff_seconds")
    if delivery.retry_hours is not None and delivery.retry_hours < 0:
        raise ScheduleError("delivery: retry_hours must be >= 0 (or left out: end of day)")
    backup = _backup_plan(data.get("backup"))
    return ScheduleConfig(cron, timedelta(days=grace_days), top, reminder_period, delivery, backup)


def _backup_plan(table: Any) -> BackupPlan | None:
    if table is None:
        return None
    if not isinstance(table, dict) or not isinstance(table.get("directory"), str):
        raise ScheduleError('[backup]: directory = "..." is needed (where backups go)')
    # 02:00 unless told otherwise; `hour = 3` alone means 03:00, not every minute of it.
    cron = {"hour": 2, "minute": 0} | {name: table[name] for name in _CRON_FIELDS if name in table}
    for name, value in [*cron.items(), ("", None)]:
        try:
            CronTrigger(timezone=VIETNAM, **({name: value} if name else cron))
        except (ValueError, TypeError) as error:
            where = f"[backup] {name} = {value!r}" if name else "[backup]"
            raise ScheduleError(f"{where}: {error}") from None
    keep = table.get("keep", 7)
    if not isinstance(keep, int) or keep < 1:
        raise ScheduleError("[backup] keep must be a whole number >= 1")
    return BackupPlan(cron, Path(table["directory"]), keep)


def load_schedule(path: Path = DEFAULT_SCHEDULE_FILE) -> ScheduleConfig:
    try:
        with path.open("rb") as file:
            return parse_schedule(tomllib.load(file))
    except (OSError, tomllib.TOMLDecodeError, ScheduleError) as error:
        raise ScheduleError(f"{path}: {error}") from error
    except (TypeError, ValueError, AttributeError) as error:  # e.g. attempts = "four"
        raise ScheduleError(f"{path}: {error}") from error


def next_fire(config: ScheduleConfig, kind: JobKind, after: datetime) -> datetime:
    """The first firing of `kind` strictly after `after` (aware), in Vietnamese time."""
    fire = config.trigger(kind).get_next_fire_time(None, after + timedelta(microseconds=1))
    if not isinstance(fire, datetime):
        raise ScheduleError(f"[{kind.value}] never fires again")
    return fire


def latest_fire(config: ScheduleConfig, kind: JobKind, now: datetime) -> datetime | None:
    """The last firing of `kind` at or before `now` and within the grace; None if none."""
    start = now - config.grace
    fire = next_fire(config, kind, start - timedelta(microseconds=1))
    latest = None
    while fire <= now:
        latest = fire
        fire = next_fire(config, kind, fire)
    return latest


def reported_period(kind: JobKind, fire_at: datetime, reminder_period: PeriodKind) -> Period:
    """What a firing is about: a summary, the period that ended before its day; a
    reminder, the period under way on its day."""
    day = local_day(fire_at)
    if kind is JobKind.REMINDER:
        return period_containing(reminder_period, day)
    if kind is JobKind.DUE_REMINDER:
        return period_containing(PeriodKind.WEEK, day)
    return period_containing(SUMMARY_PERIODS[kind], day).previous()


def occurrence_key(kind: JobKind, fire_at: datetime, reminder_period: PeriodKind) -> str:
    """The name the database keeps a firing under: the period key of a summary; a
    reminder's local day (there is one a week, and the period alone would repeat)."""
    if kind in PER_MEMBER:
        return local_day(fire_at).isoformat()
    return reported_period(kind, fire_at, reminder_period).key


def due(config: ScheduleConfig, now: datetime) -> list[tuple[JobKind, datetime]]:
    """Each job's latest firing within the grace, oldest first: what should have been
    sent by `now` (the caller skips those already recorded)."""
    found = [(kind, latest_fire(config, kind, now)) for kind in JobKind]
    return sorted(((kind, fire) for kind, fire in found if fire is not None), key=lambda x: x[1])
