"""A real PgBouncer in transaction mode in front of the tests' PostgreSQL server.

Issue 15 asks the product to work behind PgBouncer in transaction mode: any transaction
may run on any server connection, so nothing may rely on a session (prepared statements,
session settings, session advisory locks, LISTEN). With `pool_size` 2 server connections
for many client connections, a statement that leaned on its session would meet another
client's session and fail. Debian's `pgbouncer` (installed by
scripts/install-postgres.sh) runs in the foreground on a free loopback port; it refuses
to run as root, so as root it runs as the `postgres` user like the server.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.support.net import free_port
from tests.support.postgres import SUPERUSER, PostgresServer

CONFIG = """\
[databases]
* = host=127.0.0.1 port={server_port} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
admin_users = {user}
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


class PgBouncer:
    """`with PgBouncer(server) as bouncer:` `bouncer.url(database)` reaches `server`'s
    database through at most `pool_size` server connections per database."""

    def __init__(self, server: PostgresServer, *, pool_size: int = 2) -> None:
        self._server = server
        self.pool_size = pool_size
        self.port = 0
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def bounced(self, direct_url: str) -> str:
        """The same database as `direct_url` (a URL of the server), through the bouncer."""
        return self.url(direct_url.rsplit("/", 1)[1])

    def __enter__(self) -> PgBouncer:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not Path(binary).exists():
            raise RuntimeError("PgBouncer is not installed: run bash scripts/install-postgres.sh")
        self._dir = Path(tempfile.mkdtemp(prefix="bhxh-pgbouncer-"))
        self.port = free_port()
        config = self._dir / "pgbouncer.ini"
        config.write_text(
            CONFIG.format(
                server_port=self._server.port,
                user=SUPERUSER,
                port=self.port,
                pool_size=self.pool_size,
                folder=self._dir,
            )
        )
        prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self._dir, user.pw_uid, user.pw_gid)
            os.chown(config, user.pw_uid, user.pw_gid)
            prefix = ["runuser", "-u", SUPERUSER, "--"]
        self._process = subprocess.Popen(
            [*prefix, binary, str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_listening()
        return self

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"pgbouncer did not listen on {self.port}: {self.log()}")

    def connections(self, database: str) -> tuple[int, int]:
        """(client, server) connections the bouncer holds for `database` now, from its
        admin console (simple queries only: `SHOW`)."""
        with psycopg.connect(self.url("pgbouncer"), autocommit=True) as console:
            return _of(console, "SHOW CLIENTS", database), _of(console, "SHOW SERVERS", database)

    def log(self) -> str:
        path = None if self._dir is None else self._dir / "pgbouncer.log"
        return path.read_text(errors="replace") if path is not None and path.exists() else ""

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _of(console: psycopg.Connection[tuple[object, ...]], show: str, database: str) -> int:
    """How many rows of the admin console's `show` list are for `database`."""
    cursor = console.execute(show)
    at = [column.name for column in cursor.description or []].index("database")
    return sum(1 for row in cursor.fetchall() if row[at] == database)
