"""Issue 15: the whole country on PostgreSQL (benchmarks/national.py).

- logging end to end (parse, store, reply) from 64 senders at once, against raw
  PostgreSQL single-row INSERT + COMMIT from 64 connections on the same server;
- `/bxh` and `/donvi` for a commune officer, an office lead, a province lead and the
  national lead (p95 target < 20 ms each), asked again and again, and each after logs
  that changed its numbers (`_after_logs`);
- the first view of a new week's board (p95 target < 50 ms), and its worst: the one
  view that makes the board for the country when the night job did not
  (scheduling/boards_ready.py); then the night job making the month, quarter and year;
- the resident memory of a real `python bot.py` on the national database after it has
  answered boards and logs by SMS (target < 200 MB).

The server is `BENCH_POSTGRES_URL` (an empty database with LOCALE 'C') or, without it, a
local PostgreSQL 15 started here with durable commits (fsync on) and 1 GB of shared
buffers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from benchmarks import national
from benchmarks.report import figure, latency, ratio
from commands.context import Services
from commands.registry import run_text
from scheduling.boards_ready import ready_current_boards
from storage.postgres import PostgresRepository
from tests.support.net import free_port
from tests.support.postgres import PostgresServer, server_bin
from tracker.models import Channel, Member, Role
from tracker.periods import local_day
from tracker.rules import load_rules

# Monday 23 November 2026, 10:00 in Vietnam: the first morning of a new week.
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SENDERS = 64
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def database() -> Iterator[str]:
    given = os.environ.get("BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    # A national server's cache is gigabytes; 64 MB (the tests') turned every index probe
    # of a 10M-entry country into a read from the kernel's cache.
    with PostgresServer(durable=True, shared_buffers="1GB") as server:
        yield server.create_database("national")


async def migrate(url: str) -> None:
    repo = await PostgresRepository.open(url)
    await repo.close()


async def raw_rate(url: str, per_sender: int) -> float:
    """64 connections, each INSERT + COMMIT of one row at a time."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as db:
        await db.execute(
            "CREATE TABLE IF NOT EXISTS raw_inserts (id BIGINT GENERATED ALWAYS AS IDENTITY"
            " PRIMARY KEY, member_id INT, program TEXT, day TEXT, count INT, created_at TEXT)"
        )

    async def sender(number: int) -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as db:
            for _ in range(per_sender):
                await db.execute(
                    "INSERT INTO raw_inserts (member_id, program, day, count, created_at)"
                    " VALUES (%s, 'TN', '2026-11-23', 1, '2026-11-23T03:00:00+00:00')",
                    (number,),
                )

    started = time.perf_counter()
    await asyncio.gather(*(sender(number) for number in range(SENDERS)))
    return SENDERS * per_sender / (time.perf_counter() - started)


async def log_rate(url: str, per_sender: int, members: int, round_number: int) -> float:
    """`TN 1` from 64 members at once through `run_text`, as the SMS channel calls it."""
    repo = await PostgresRepository.open(url)
    services = Services(repo, load_rules(), lambda: NOW)
    step = members // SENDERS
    people = [await repo.member(1 + number * step) for number in range(SENDERS)]

    async def sender(number: int) -> None:
        for sent in range(per_sender):
            key = f"national:{round_number}:{number}:{sent}"
            reply = await run_text(services, people[number], "TN 1", Channel.SMS, key)
            assert reply.text.startswith("Da ghi"), reply.text

    started = time.perf_counter()
    await asyncio.gather(*(sender(number) for number in range(SENDERS)))
    elapsed = time.perf_counter() - started
    await repo.close()
    return SENDERS * per_sender / elapsed


async def board_latencies(
    url: str,
    scopes: dict[str, int | None],
    texts: list[str],
    samples: int,
    logs_between: int = 0,
) -> dict[str, list[float]]:
    """Each text asked `samples` times per scope (a lead of that unit; None: member 1).

    `logs_between`: before each ask (untimed), that many members log `TN 1` by SMS,
    member 1 first: their commune lies in every scope asked, so every view finds its
    numbers changed since the last one and nothing kept from it can simply be shown
    again; the others are spread over the country, as logging is."""
    repo = await PostgresRepository.open(url)
    services = Services(repo, load_rules(), lambda: NOW)
    officer = await repo.member(1)
    members = await repo.count_members() if logs_between else 0
    step = max(1, members // max(1, logs_between))
    loggers = [officer, *[await repo.member(1 + n * step) for n in range(1, logs_between)]]
    sent = itertools.count()
    run = time.time_ns()  # message ids unique across runs on one database
    timings: dict[str, list[float]] = {}
    for who, unit in scopes.items():
        asker = officer if unit is None else Member(1, unit, "Lãnh đạo", "", Role.LEAD)
        for text in texts:
            name = f"{text.strip('/')}_{who}"
            timings[name] = []
            for _ in range(samples):
                for logger in loggers[:logs_between]:
                    key = f"between:{run}:{next(sent)}"
                    logged = await run_text(services, logger, "TN 1", Channel.SMS, key)
                    assert logged.text.startswith("Da ghi"), logged.text
                started = time.perf_counter()
                reply = await run_text(services, asker, text, Channel.TELEGRAM, None)
                timings[name].append(time.perf_counter() - started)
                assert "%" in reply.text, reply.text
    await repo.close()
    return timings


async def boards_made_at_night(url: str) -> float:
    """Seconds the night job takes to make the boards of the day's periods (here the
    month, quarter and year: the week's were made by its first views)."""
    repo = await PostgresRepository.open(url)
    started = time.perf_counter()
    made = await ready_current_boards(repo, load_rules().program_codes, NOW)
    elapsed = time.perf_counter() - started
    assert made, "the night job found every board made already"
    await repo.close()
    return elapsed


async def first_week_views(url: str, units: list[int]) -> list[float]:
    """`/bxh tuan` asked first in each unit: its board of the new week is made then."""
    repo = await PostgresRepository.open(url)
    services = Services(repo, load_rules(), lambda: NOW)
    timings = []
    for unit in units:
        lead = Member(1, unit, "Lãnh đạo", "", Role.LEAD)
        started = time.perf_counter()
        reply = await run_text(services, lead, "/bxh tuan", Channel.TELEGRAM, None)
        timings.append(time.perf_counter() - started)
        assert "tuần 48" in reply.text.lower(), reply.text
    await repo.close()
    return timings


def bot_rss(url: str, folder: Path, members: int, messages: int) -> float:
    """Peak MB resident in a real `python bot.py` after `messages` SMS: logs, boards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_"))}
    env |= {"DATABASE_URL": url, "HTTP_PORT": str(port), "SMS_INBOUND_SECRET": "bench"}
    bot = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")], env=env, cwd=folder,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            deadline = time.monotonic() + 120
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if http.get("/healthz").status_code == 200:
                        break
                if time.monotonic() > deadline or bot.poll() is not None:
                    raise RuntimeError("bot.py did not come up")
                time.sleep(0.2)
            for n in range(messages):
                sender = f"849{1 + n * 7 % members:08d}"
                text = ("TN 1", "/bxh", "/donvi")[n % 3]
                params = {"from": sender, "text": text, "id": f"rss-{n}", "secret": "bench"}
                http.get("/sms/inbound", params=params, timeout=60)
        status = Path(f"/proc/{bot.pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(rss.split()[1]) / 1024
    finally:
        bot.terminate()
        bot.wait(timeout=30)


def run(folder: Path, quick: bool) -> None:
    try:
        server_bin()
    except RuntimeError as missing:
        print(f"national_postgres: skipped ({missing})", flush=True)
        return
    size = national.QUICK if quick else national.FULL
    with database() as url:
        asyncio.run(migrate(url))
        started = time.perf_counter()
        country = national.build(url, size, until=local_day(NOW) - timedelta(days=1))
        figure("national_build_time", time.perf_counter() - started, "s")
        figure("national_communes", len(country.communes), "communes")
        figure("national_members", size.members, "members")
        figure("national_entries", size.entries, "entries")
        per_sender = 5 if quick else 40
        raw, logged = [], []
        # Interleaved rounds: both sides see the same swings of the disk.
        for round_number in range(2 if quick else 3):
            raw.append(asyncio.run(raw_rate(url, per_sender)))
            logged.append(asyncio.run(log_rate(url, per_sender, size.members, round_number)))
        figure("postgres_insert_commit_rate_64", statistics.median(raw), "commits/s")
        figure("national_log_rate_64_senders", statistics.median(logged), "commands/s")
        ratio(
            "national_log_64_senders_vs_raw_postgres",
            statistics.median(logged),
            statistics.median(raw),
            "national_log_rate_64_senders / postgres_insert_commit_rate_64; target >= 0.5",
        )
        scopes = {
            "officer": None,
            "office_lead": country.offices[0],
            "province_lead": country.provinces[0],
            "national_lead": 1,
        }
        week_units = country.communes[1:] + country.offices[1:]
        first = asyncio.run(first_week_views(url, week_units[: 30 if quick else 200]))
        latency("national_first_week_board", first)
        # The first view of a period not made at night (a process down at midnight): the
        # one who makes it for the country waits, the median and p95 hide that one.
        figure("national_first_week_board_max", max(first) * 1000, "ms")
        figure("national_boards_made_at_night", asyncio.run(boards_made_at_night(url)), "s")
        samples = 10 if quick else 100
        timings = asyncio.run(board_latencies(url, scopes, ["/bxh", "/donvi"], samples))
        for name, seconds in timings.items():
            latency(f"national_{name}", seconds)
        # The same views, each after logs that changed its numbers: what a lead sees
        # while the country logs (nothing a process keeps between views is reused whole).
        changed = asyncio.run(board_latencies(url, scopes, ["/bxh", "/donvi"], samples, 4))
        for name, seconds in changed.items():
            latency(f"national_{name}_after_logs", seconds)
        rss = bot_rss(url, folder, size.members, 90 if quick else 600)
        figure("national_bot_rss", rss, "MB")
