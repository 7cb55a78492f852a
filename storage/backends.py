"""Open the repository a `DATABASE_URL` names: `sqlite:///path` or `postgresql://...`."""

from __future__ import annotations

from pathlib import Path

from storage.repository import Repository

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class UnknownDatabaseUrl(ValueError):
    """Neither a SQLite nor a PostgreSQL URL."""


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_PREFIXES)


def sqlite_file(url: str) -> Path:
    if not url.startswith(SQLITE_PREFIX):
        raise UnknownDatabaseUrl(
            f"DATABASE_URL must start with {SQLITE_PREFIX} or {POSTGRES_PREFIXES[0]}"
        )
    return Path(url[len(SQLITE_PREFIX) :])


def shown(url: str) -> str:
    """The URL without its password, for logs and messages."""
    if not is_postgres(url) or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"


async def open_repository(url: str) -> Repository:
    """Opened and migrated; the caller closes it."""
    if is_postgres(url):
        from storage.postgres import PostgresRepository  # psycopg only when asked for

        return await PostgresRepository.open(url)
    from storage.sqlite import SQLiteRepository

    return await SQLiteRepository.open(sqlite_file(url))
