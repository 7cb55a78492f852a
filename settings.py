"""Configuration, read once: environment first, then `.env`, then the default.

A setting that a feature needs but nobody gave fails loudly with its name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class SettingError(RuntimeError):
    """A setting is missing or unusable; the message names it."""


class MissingSetting(SettingError):
    """A required setting was not given."""


class BadSetting(SettingError):
    """A setting was given in a form it cannot take (`HTTP_PORT=abc`)."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"{name}={value}: expected {expected.replace('_', ' ')}")
        self.name, self.value = name, value
        self.expected = expected
        """What it should be, as a key of the `config.expect` catalogue table."""


# What storage.backends.open_repository opens: a SQLite file or a PostgreSQL server.
DATABASE_URL_PREFIXES = ("sqlite:///", "postgresql://", "postgres://")


def _dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.strip().partition("=")
            if sep and not name.startswith("#"):
                values[name.strip()] = value.strip().strip("\"'")
    return values


def _whole_number(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise BadSetting(name, raw, "whole_number") from None


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///data/quota.db"
    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    sms_inbound_secret: str | None = None
    sms_sendsms_url: str | None = None
    sms_sendsms_user: str | None = None
    sms_sendsms_password: str | None = None
    sms_daily_cap: int = 5
    """SMS the bot may push to one number per local day (replies are not counted)."""
    participant_hash_secret: str | None = None
    rules_file: str | None = None
    schedule_file: str | None = None
    """When summaries and reminders go out (default: config/schedule.toml)."""
    zalo_bot_token: str | None = None
    zalo_api_base_url: str | None = None
    """Another Zalo Bot API server (tests, a proxy); default https://bot-api.zaloplatforms.com."""
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: str | None = None
    """Sent back by Zalo in `X-Bot-Api-Secret-Token`; 8 to 256 characters."""
    media_secret: str | None = None
    """Key that signs `/media/...` links; unset: a random key per start (links die with it)."""
    public_base_url: str | None = None
    """How the outside world reaches the HTTP server: `/tv` links (default: the HTTP_HOST
    and HTTP_PORT it listens on) and Zalo's `/media` links (required for them)."""

    @property
    def screen_base_url(self) -> str:
        """The start of every `/tv` link, without a trailing slash."""
        base = self.public_base_url or f"http://{self.http_host}:{self.http_port}"
        return base.rstrip("/")

    @classmethod
    def load(cls, environ: dict[str, str] | None = None, dotenv: Path = Path(".env")) -> Settings:
        source = {**_dotenv(dotenv), **(os.environ if environ is None else environ)}
        values: dict[str, object] = {}
        for name, field_info in cls.__dataclass_fields__.items():
            raw = source.get(name.upper())
            if raw is None or raw == "":
                continue
            values[name] = _whole_number(name.upper(), raw) if field_info.type == "int" else raw
        return cls(**values)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if not 0 < self.http_port < 65536:
            raise BadSetting("HTTP_PORT", str(self.http_port), "port")
        if not self.database_url.startswith(DATABASE_URL_PREFIXES):
            raise BadSetting("DATABASE_URL", self.database_url, "database_url")

    def require(self, name: str) -> str:
        value = getattr(self, name)
        if not value:
            raise MissingSetting(f"{name.upper()} is not set")
        return str(value)
