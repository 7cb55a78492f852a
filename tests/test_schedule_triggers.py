"""The schedule fires at the right Vietnamese local times, across month, quarter and
year ends, and each firing is named by the period it reports on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduling.triggers import (
    JobKind,
    ScheduleError,
    due,
    latest_fire,
    load_schedule,
    next_fire,
    occurrence_key,
    parse_schedule,
)
from tracker.periods import VIETNAM, PeriodKind

CONFIG = load_schedule()


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VIETNAM)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "after", "fires", "key"),
    [
        # Weekly: Monday 08:00; the week that ended. 2026 has an ISO week 53.
        (JobKind.WEEKLY, vn(2026, 11, 23, 8, 0), vn(2026, 11, 30, 8, 0), "2026-W48"),
        (JobKind.WEEKLY, vn(2026, 12, 31, 23, 59), vn(2027, 1, 4, 8, 0), "2026-W53"),
        (JobKind.WEEKLY, vn(2027, 1, 4, 7, 59), vn(2027, 1, 4, 8, 0), "2026-W53"),
        # Monthly: the 1st at 08:00; the month that ended (February of a common year).
        (JobKind.MONTHLY, vn(2027, 2, 27, 9, 0), vn(2027, 3, 1, 8, 0), "2027-02"),
        (JobKind.MONTHLY, vn(2026, 12, 1, 8, 0), vn(2027, 1, 1, 8, 0), "2026-12"),
        # Quarterly: the first day of a quarter at 08:00; the quarter that ended.
        (JobKind.QUARTERLY, vn(2026, 11, 23, 10, 0), vn(2027, 1, 1, 8, 0), "2026-Q4"),
        (JobKind.QUARTERLY, vn(2027, 3, 31, 8, 0), vn(2027, 4, 1, 8, 0), "2027-Q1"),
        (JobKind.QUARTERLY, vn(2027, 6, 30, 23, 0), vn(2027, 7, 1, 8, 0), "2027-Q2"),
        # Reminder: Friday 16:00, named by its day.
        (JobKind.REMINDER, vn(2026, 12, 31, 0, 0), vn(2027, 1, 1, 16, 0), "2027-01-01"),
    ],
)
def test_next_fire_in_vietnamese_time(
    kind: JobKind, after: datetime, fires: datetime, key: str
) -> None:
    fire = next_fire(CONFIG, kind, after)
    assert fire == fires
    assert fire.utcoffset() == timedelta(hours=7)
    assert occurrence_key(kind, fire, PeriodKind.MONTH) == key


def test_new_year_2027_morning_fires_three_summaries_at_0800_plus_0700() -> None:
    new_year = vn(2027, 1, 1, 8, 0)
    after = vn(2026, 12, 31, 20, 0)
    firing = {kind: next_fire(CONFIG, kind, after) for kind in JobKind}
    assert firing[JobKind.MONTHLY] == firing[JobKind.QUARTERLY] == new_year
    assert new_year.astimezone(UTC) == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    assert firing[JobKind.WEEKLY] == vn(2027, 1, 4, 8, 0)


def test_fire_times_come_from_the_config() -> None:
    config = parse_schedule({"weekly": {"day_of_week": "tue", "hour": 7, "minute": 30}})
    fire = next_fire(config, JobKind.WEEKLY, vn(2026, 11, 23, 12, 0))
    assert fire == vn(2026, 11, 24, 7, 30)
    assert occurrence_key(JobKind.WEEKLY, fire, PeriodKind.MONTH) == "2026-W47"
    assert next_fire(config, JobKind.MONTHLY, vn(2026, 11, 23)) == vn(2026, 12, 1, 8, 0)


def test_due_lists_the_latest_firing_of_each_job_within_the_grace() -> None:
    # Monday 4 January 2027, 08:00: this morning's weekly, and New Year's monthly,
    # quarterly and reminder, exactly three days ago at most, are all still due.
    found = due(CONFIG, vn(2027, 1, 4, 8, 0))
    assert [(kind, fire) for kind, fire in found] == [
        (JobKind.MONTHLY, vn(2027, 1, 1, 8, 0)),
        (JobKind.QUARTERLY, vn(2027, 1, 1, 8, 0)),
        (JobKind.REMINDER, vn(2027, 1, 1, 16, 0)),
        (JobKind.DUE_REMINDER, vn(2027, 1, 4, 7, 30)),
        (JobKind.WEEKLY, vn(2027, 1, 4, 8, 0)),
    ]
    # A minute before Monday 08:00, the weekly run is last Monday's: past the grace.
    assert JobKind.WEEKLY not in dict(due(CONFIG, vn(2027, 1, 4, 7, 59)))
    # A minute later New Year's summaries are past the grace; the reminder is not yet.
    later = dict(due(CONFIG, vn(2027, 1, 4, 8, 1)))
    assert set(later) == {JobKind.WEEKLY, JobKind.REMINDER, JobKind.DUE_REMINDER}
    assert latest_fire(CONFIG, JobKind.MONTHLY, vn(2027, 1, 4, 8, 1)) is None


def test_grace_is_configurable() -> None:
    config = parse_schedule({"grace_days": 0})
    assert latest_fire(config, JobKind.WEEKLY, vn(2026, 11, 23, 8, 0)) == vn(2026, 11, 23, 8, 0)
    assert latest_fire(config, JobKind.WEEKLY, vn(2026, 11, 23, 8, 1)) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekly": {"day_of_week": "someday"}}, "[weekly]"),
        ({"grace_days": -1}, "grace_days"),
        ({"summary_top": 0}, "summary_top"),
        ({"reminder": {"period": "year"}}, "reminder.period"),
        ({"delivery": {"attempts": 0}}, "delivery"),
    ],
)
def test_a_bad_schedule_names_what_to_fix(data: dict[str, object], message: str) -> None:
    with pytest.raises(ScheduleError, match=message.replace("[", r"\[")):
        parse_schedule(data)


def test_the_shipped_schedule_file_matches_the_contract(tmp_path: Path) -> None:
    assert CONFIG.grace == timedelta(days=3)
    assert CONFIG.reminder_period is PeriodKind.MONTH
    broken = tmp_path / "schedule.toml"
    broken.write_text("grace_days = ", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"schedule\.toml"):
        load_schedule(broken)
