"""Fault suite: `kill -9` of the bot while SMS are being logged, restart, redelivery.

Each run starts `python bot.py` on a fresh copy of one database, has eight senders log
by SMS at once through /sms/inbound (as Kannel's get-url does), kills the bot with
SIGKILL after a random number of acknowledged messages, checks that every acknowledged
entry survived, starts the bot again and redelivers every message that was sent (as
Kannel retries): each must be stored exactly once.

FAULT_KILL_RUNS sets the number of runs (default 3); FAULT_FIGURES names a file that
gets one JSON line per run (runs, acknowledged, lost, duplicated).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from storage.repository import StaffRow
from storage.sqlite import SQLiteRepository
from tests.conftest import POST_OFFICE
from tests.support.net import free_port
from tracker.models import Role

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("FAULT_KILL_RUNS", "3"))
SECRET = "kill-secret"
SENDERS = [f"09150000{n:02d}" for n in range(1, 21)]
CONCURRENCY = 8


@dataclass
class Run:
    sent: dict[str, str] = field(default_factory=dict)
    """Message id -> sender's phone, for every message that left the test."""
    acknowledged: set[str] = field(default_factory=set)
    """Ids the bot answered with "Da ghi" before it was killed."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with twenty SMS agents, copied for each run."""
    path = tmp_path_factory.mktemp("kill") / "template.db"

    async def fill() -> None:
        repo = await SQLiteRepository.open(path)
        await repo.import_staff(
            [StaffRow(n, POST_OFFICE, f"Đại lý {n}", p, Role.AGENT) for n, p in enumerate(SENDERS)]
        )
        await repo.close()

    asyncio.run(fill())
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


async def start_bot(path: Path, port: int) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_"))}
    env |= {"DATABASE_URL": f"sqlite:///{path}", "HTTP_PORT": str(port)}
    env["SMS_INBOUND_SECRET"] = SECRET
    bot = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), env=env, cwd=path.parent,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300  # waiting for start-up on a busy machine, not timing it
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        return bot
                except httpx.TransportError:
                    pass
                assert bot.returncode is None, "bot.py exited during start-up"
                assert time.monotonic() < deadline, "bot.py did not become healthy"
                await asyncio.sleep(0.1)
    except BaseException:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        raise


async def deliver(http: httpx.AsyncClient, message_id: str, phone: str) -> str:
    params = {"from": "84" + phone[1:], "to": "8088", "text": "TN 1", "id": message_id}
    response = await http.get("/sms/inbound", params={**params, "secret": SECRET})
    response.raise_for_status()
    return response.text


async def log_until_killed(
    bot: asyncio.subprocess.Process, port: int, run: Run, label: str
) -> None:
    kill_after = random.randint(60, 400)
    killed = asyncio.Event()

    async def sender(worker: int) -> None:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30
        ) as http:
            for index in range(10_000):
                if killed.is_set():
                    return
                message_id = f"{label}-w{worker}-{index}"
                phone = SENDERS[(worker * 7 + index) % len(SENDERS)]
                run.sent[message_id] = phone
                try:
                    reply = await deliver(http, message_id, phone)
                except httpx.HTTPError:
                    return  # the bot is gone
                if reply.startswith("Da ghi 1 TN"):
                    run.acknowledged.add(message_id)
                if len(run.acknowledged) >= kill_after and not killed.is_set():
                    bot.send_signal(signal.SIGKILL)  # kill -9, mid-traffic
                    killed.set()

    await asyncio.gather(*(sender(worker) for worker in range(CONCURRENCY)))
    await bot.wait()


def stored(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT source_key FROM entries WHERE channel = 'sms'").fetchall()
    return [str(key) for (key,) in rows]


def key_of(message_id: str, phone: str) -> str:
    return f"sms:{phone}:id:{message_id}"


async def one_run(template: Path, tmp_path: Path, number: int) -> dict[str, int]:
    path = tmp_path / f"run-{number}.db"
    shutil.copyfile(template, path)
    port = free_port()
    run = Run()
    bot = await start_bot(path, port)
    await log_until_killed(bot, port, run, f"r{number}")
    assert bot.returncode == -signal.SIGKILL

    after_kill = set(stored(path))
    lost = [m for m in run.acknowledged if key_of(m, run.sent[m]) not in after_kill]

    bot = await start_bot(path, port)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30
        ) as http:
            queue = list(run.sent.items())

            async def redeliver() -> None:
                while queue:
                    message_id, phone = queue.pop()
                    reply = await deliver(http, message_id, phone)
                    assert reply.startswith("Da ghi 1 TN"), reply  # a repeat: the same answer

            await asyncio.gather(*(redeliver() for _ in range(CONCURRENCY)))
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 30)
    keys = stored(path)
    expected = {key_of(m, phone) for m, phone in run.sent.items()}
    figures = {
        "run": number,
        "sent": len(run.sent),
        "acknowledged": len(run.acknowledged),
        "lost": len(lost),
        "duplicated": len(keys) - len(set(keys)),
        "missing_after_redelivery": len(expected - set(keys)),
        "extra": len(set(keys) - expected),
    }
    record(figures)
    return figures


def record(figures: dict[str, int]) -> None:
    if os.environ.get("FAULT_FIGURES"):
        with open(os.environ["FAULT_FIGURES"], "a", encoding="utf-8") as out:
            out.write(json.dumps(figures | {"at": datetime.now(UTC).isoformat()}) + "\n")


@pytest.mark.parametrize("number", range(1, RUNS + 1))
async def test_kill_9_during_sms_logging_loses_and_doubles_nothing(
    template: Path, tmp_path: Path, number: int
) -> None:
    figures = await one_run(template, tmp_path, number)
    assert figures["acknowledged"] >= 60
    assert figures["lost"] == 0, figures
    assert figures["duplicated"] == 0, figures
    assert figures["missing_after_redelivery"] == 0, figures
    assert figures["extra"] == 0, figures
