"""A real PostgreSQL server for tests: initdb + pg_ctl in a temporary directory.

Started once per test session on a free loopback port (scripts/install-postgres.sh
installs the Debian binaries). The schema is migrated once into a template database;
each test gets a fresh copy of it (`CREATE DATABASE ... TEMPLATE`, a file copy), which
is much faster than migrating again. initdb refuses to run as root, so as root the
server runs as the `postgres` user the Debian package creates.

Durability is off (fsync, synchronous_commit): a test server that loses its data on a
power cut loses nothing of value, and every commit is an fsync otherwise.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

from tests.support.net import free_port

SUPERUSER = "postgres"
TEMPLATE = "bhxh_template"


def server_bin() -> Path:
    """The newest installed server's bin directory."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name),
        reverse=True,
    )
    if not candidates:
        raise RuntimeError("PostgreSQL is not installed: run bash scripts/install-postgres.sh")
    return candidates[0].parent


def _as_server_user() -> list[str]:
    """The command prefix that runs a server binary as a non-root user."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", SUPERUSER, "--"]


class PostgresServer:
    """`with PostgresServer() as server:` a running server; `server.new_database()`."""

    def __init__(self, *, durable: bool = False, shared_buffers: str = "64MB") -> None:
        self.durable = durable
        """Commits wait for the disk, as in production (benchmarks); tests need not."""
        self.shared_buffers = shared_buffers
        """The server's own cache: small for tests, a production size for benchmarks."""
        self.port = 0
        self._dir: Path | None = None
        self._names = itertools.count(1)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def __enter__(self) -> PostgresServer:
        bin_dir = server_bin()
        self._dir = Path(tempfile.mkdtemp(prefix="bhxh-pg-"))
        data = self._dir / "data"
        data.mkdir()
        if os.geteuid() == 0:
            user = pwd.getpwnam(SUPERUSER)
            for path in (self._dir, data):
                os.chown(path, user.pw_uid, user.pw_gid)
        prefix = _as_server_user()
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                # Byte order for text, as SQLite compares: lineage ranges and rank keys.
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        self.port = free_port()
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {data}"
            f" -c max_connections=200 -c shared_buffers={self.shared_buffers}"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self._dir / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._dir is None:
            return
        subprocess.run(
            [
                *_as_server_user(),
                str(server_bin() / "pg_ctl"),
                "-D",
                str(self._dir / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """A connection to the maintenance database, in autocommit (CREATE DATABASE)."""
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create_database(self, name: str, template: str = "template0") -> str:
        with self.admin() as db:
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def new_database(self, template: str = "template0") -> str:
        """A new, uniquely named database copied from `template`; its URL."""
        return self.create_database(f"test_{next(self._names)}", template)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server
