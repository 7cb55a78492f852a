"""Fault suite: two real processes on one SQLite file.

A process whose sends are in flight must not have them called cut off by a second
process starting beside it; once it is killed (-9), the next start marks them
`unknown` and never sends them again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from storage.repository import QuotaRow, StaffRow
from storage.sqlite import SQLiteRepository
from tests.conftest import POST_OFFICE
from tests.support.net import free_port
from tracker.models import Role, TargetKind

ROOT = Path(__file__).resolve().parent.parent
AGENTS = [f"09140000{n:02d}" for n in range(1, 12)]
FRIDAY = "2026-11-27"


async def eleven_agents(path: Path) -> None:
    repo = await SQLiteRepository.open(path)
    await repo.import_staff([StaffRow(n, POST_OFFICE, f"Đại lý {n}", p, Role.AGENT)
                             for n, p in enumerate(AGENTS, 2)])  # fmt: skip
    await repo.import_quotas(
        [QuotaRow(n, TargetKind.MEMBER, p, "TN", "2026-11", 30) for n, p in enumerate(AGENTS, 2)],
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    await repo.close()


def deliveries(path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT state, owner FROM schedule_deliveries WHERE kind = 'reminder'"
            " AND period_key = ? ORDER BY target_id",
            (FRIDAY,),
        ).fetchall()


def start_stuck_sender(path: Path) -> subprocess.Popen[str]:
    sender = subprocess.Popen(
        [sys.executable, "-m", "tests.support.stuck_sender", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert sender.stdout is not None
    for line in sender.stdout:
        if line.strip() == f"claimed {len(AGENTS)}":
            return sender
    raise AssertionError(f"the sender never got its messages in flight: {sender.stderr}")


def run_bot_until_healthy(path: Path, tmp_path: Path) -> str:
    """`python bot.py` on the same file: started, healthy (its start-up recovery done),
    stopped with SIGTERM; returns its log."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_"))}
    env |= {"DATABASE_URL": f"sqlite:///{path}", "HTTP_PORT": str(port)}
    bot = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")], env=env, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300  # waiting for start-up on a busy machine, not timing it
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            while True:
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert bot.poll() is None, bot.communicate()[1]
                assert time.monotonic() < deadline, "bot.py did not become healthy"
                time.sleep(0.1)
    finally:
        bot.send_signal(signal.SIGTERM)
        _, log = bot.communicate(timeout=30)
    assert bot.returncode == 0, log
    return log


def test_a_second_process_leaves_a_live_senders_messages_alone(tmp_path: Path) -> None:
    path = tmp_path / "quota.db"
    asyncio.run(eleven_agents(path))
    sender = start_stuck_sender(path)
    try:
        in_flight = deliveries(path)
        assert [state for state, _ in in_flight] == ["sending"] * len(AGENTS)
        [owner] = {owner for _, owner in in_flight}
        assert owner is not None and f":{sender.pid}:" in owner

        log = run_bot_until_healthy(path, tmp_path)  # a second process, the first alive
        assert deliveries(path) == in_flight
        assert "cut off mid-send" not in log
    finally:
        sender.kill()  # kill -9: its messages' fate is unknown now
        sender.communicate()

    log = run_bot_until_healthy(path, tmp_path)
    assert [state for state, _ in deliveries(path)] == ["unknown"] * len(AGENTS)
    assert f"{len(AGENTS)} scheduled message(s) were cut off mid-send: not resent" in log
