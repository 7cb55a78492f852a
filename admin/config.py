"""Everything the bot is configured with, read and checked once, at start.

Settings (environment, `.env`, defaults), the business rules, the emulation scoring and
the schedule: one call loads them all, so a mistake in any of them stops the start with
one line naming what to fix, before a database is opened or a port bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leaderboards.emulation_rules import EmulationConfigError, EmulationRules, load_emulation_rules
from scheduling.triggers import DEFAULT_SCHEDULE_FILE, ScheduleConfig, ScheduleError, load_schedule
from settings import BadSetting, Settings
from tracker.rules import DEFAULT_RULES_FILE, Rules, RulesError, load_rules

CONFIG_ERRORS = (RulesError, EmulationConfigError, ScheduleError)
"""What a broken config file raises; each message names the file and the key."""


@dataclass(frozen=True)
class Config:
    settings: Settings
    rules: Rules
    emulation: EmulationRules
    schedule: ScheduleConfig


def load_config(settings: Settings) -> Config:
    """Rules, emulation and schedule files checked against each other; raises one of
    `CONFIG_ERRORS` (or `settings.SettingError`) naming what to fix."""
    rules = load_rules(Path(settings.rules_file) if settings.rules_file else DEFAULT_RULES_FILE)
    emulation = load_emulation_rules(programs=rules.programs)
    schedule_file = Path(settings.schedule_file) if settings.schedule_file else None
    schedule = load_schedule(schedule_file or DEFAULT_SCHEDULE_FILE)
    check_zalo(settings)
    return Config(settings, rules, emulation, schedule)


def check_zalo(settings: Settings) -> None:
    """A Zalo webhook needs its secret, of the length Zalo takes (8 to 256 characters)."""
    if not settings.zalo_bot_token or not settings.zalo_webhook_url:
        return
    secret = settings.require("zalo_webhook_secret")
    if not 8 <= len(secret) <= 256:
        raise BadSetting("ZALO_WEBHOOK_SECRET", "…", "secret_8_to_256")
