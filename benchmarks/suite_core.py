"""Issue 2: the cost of logging end to end against raw SQLite, and progress latency."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import province, suite_boards, suite_participants
from benchmarks.report import figure, latency, ratio
from commands.context import Services
from commands.registry import run_text
from storage.sqlite import SQLiteRepository
from tracker.models import Channel
from tracker.periods import local_day
from tracker.rules import load_rules

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def raw_insert_commit_rate(folder: Path, count: int, round_number: int) -> float:
    """Plain sqlite3, same pragmas as the product, one INSERT + COMMIT at a time."""
    path = folder / f"raw{round_number}.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, member_id INT, program TEXT, day TEXT,"
        " count INT, created_at TEXT)"
    )
    started = time.perf_counter()
    for number in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO t (member_id, program, day, count, created_at) VALUES (?,?,?,?,?)",
            (number % 5000, "TN", "2026-11-23", 1, "2026-11-23T03:00:00+00:00"),
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return count / elapsed


async def log_rate(
    path: Path, count: int, senders: int, round_number: int
) -> tuple[float, list[float]]:
    """`TN 1` from `senders` members at once, `count` in all: parse, store, reply text.

    Returns logs per second of wall time, and each log's latency.
    """
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: NOW)
    members = [await repo.member(member_id) for member_id in range(1, senders + 1)]
    latencies: list[float] = []

    async def sender(number: int) -> None:
        for sent in range(count // senders):
            started = time.perf_counter()
            reply = await run_text(
                services,
                members[number],
                "TN 1",
                Channel.SMS,
                f"bench:{round_number}:{senders}:{number}:{sent}",
            )
            latencies.append(time.perf_counter() - started)
            assert reply.text.startswith("Da ghi"), reply.text

    started = time.perf_counter()
    await asyncio.gather(*(sender(number) for number in range(senders)))
    elapsed = time.perf_counter() - started
    await repo.close()
    return len(latencies) / elapsed, latencies


# Every board of the current periods a lead can ask for: once viewed, each entry marks
# its member's rows of them for a recount (storage/migrations/0007_board_rows.sql).
EVERY_CURRENT_BOARD = tuple(
    f"/bxh {period} {programs}"
    for period in ("tuan", "thang", "quy", "nam")
    for programs in ("TN", "YT", "TN YT")
)


def log_figures(folder: Path, path: Path, logs: int) -> None:
    """Rates of three interleaved rounds, medians compared: this machine's fsync rate
    swings by half between minutes, and interleaving lets both sides see the same swing.

    Logging is measured twice: on the fresh province (no board viewed yet: the start of
    a period) and on a copy where every current board has been viewed (the steady state
    once leads have looked), where each entry also marks its member for the boards."""
    viewed = folder / "province-boards-viewed.db"
    shutil.copyfile(path, viewed)
    # A province lead opens each current board once: the first view materialises it.
    first_views = suite_boards.command_latencies(viewed, NOW, EVERY_CURRENT_BOARD, scope_unit=1)
    latency("board_first_view_latency", asyncio.run(first_views))
    raw_rates: list[float] = []
    rates: dict[tuple[Path, int], list[float]] = {(path, 1): [], (path, 32): [], (viewed, 32): []}
    one_sender_latencies: list[float] = []
    for round_number in range(3):
        raw_rates.append(raw_insert_commit_rate(folder, logs, round_number))
        for (database, senders), measured in rates.items():
            rate, latencies = asyncio.run(log_rate(database, logs, senders, round_number))
            measured.append(rate)
            if senders == 1:
                one_sender_latencies += latencies
    raw = statistics.median(raw_rates)
    figure("sqlite_insert_commit_rate", raw, "commits/s")
    # Many chats at once is how the bot is used; entries arriving together share a commit.
    for name, key in (("", (path, 32)), ("_boards_viewed", (viewed, 32))):
        concurrent = statistics.median(rates[key])
        figure(f"log_end_to_end_rate_32_senders{name}", concurrent, "commands/s")
        ratio(
            f"log_end_to_end_32_senders{name}_vs_raw_sqlite",
            concurrent,
            raw,
            f"log_end_to_end_rate_32_senders{name} / sqlite_insert_commit_rate; target >= 0.5",
        )
    # One sender waits for each of its own fsyncs: this is latency more than throughput.
    alone = statistics.median(rates[(path, 1)])
    figure("log_end_to_end_rate_one_sender", alone, "commands/s")
    latency("log_one_sender_latency", one_sender_latencies)
    ratio(
        "log_end_to_end_one_sender_vs_raw_sqlite",
        alone,
        raw,
        "log_end_to_end_rate_one_sender / sqlite_insert_commit_rate",
    )


async def progress_latencies(path: Path, samples: int) -> list[float]:
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: NOW)
    rng = random.Random(3)
    timings = []
    for _ in range(samples):
        member = await repo.member(rng.randrange(1, 5001))
        started = time.perf_counter()
        reply = await run_text(services, member, "/tiendo", Channel.TELEGRAM, None)
        timings.append(time.perf_counter() - started)
        assert reply.text.startswith("📊") and "%" in reply.text, reply.text  # with a target
    await repo.close()
    return timings


def run(folder: Path, quick: bool) -> None:
    # --quick keeps the 5,000 people but a quarter of the entries: the build dominates.
    entries = 150_000 if quick else 1_000_000
    started = time.perf_counter()
    path = folder / "province.db"
    province.build(path, members=5000, entries=entries, until=local_day(NOW))
    figure("province_build_time", time.perf_counter() - started, "s")
    figure("province_entries", entries, "entries")

    log_figures(folder, path, 1000 if quick else 4000)
    latency("progress_query_latency", asyncio.run(progress_latencies(path, 200 if quick else 1000)))
    suite_boards.run(path, NOW, quick)
    suite_participants.run(folder, path, NOW, quick)
