"""Issue 14: the due list of an officer and of a province lead in the 1M-entry province,
and the time to roll every unit's participant count forward after an import."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks.report import figure, latency, ratio
from commands.context import Services
from commands.counts import unit_counts
from commands.registry import run_text
from storage.sqlite import SQLiteRepository
from tracker.models import Channel
from tracker.periods import local_day
from tracker.rules import load_rules

TERMS = (1, 3, 6, 12)
PARTICIPANT_SHARE = 3
"""One TN entry in this many carries a participant with a payment term."""
LEAD_ID = 900_001
"""A province lead added to the benchmark province."""


def add_participants(source: Path, target: Path, today: date) -> int:
    """A copy of the province where every third TN entry has a participant and a term,
    some renewed, and every unit an official count a year ago and a month ago.

    Loaded as the product's triggers would leave it, but in bulk: the triggers are put
    aside during the load and `participant_terms` filled from its own view once."""
    shutil.copyfile(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = OFF")
    triggers = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND name LIKE 'participant_terms_%'"
    ).fetchall()
    db.execute("BEGIN")
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    terms = ", ".join(str(term) for term in TERMS)
    db.execute(
        "UPDATE entries SET participant_hash = printf('%064x', id),"
        " participant_last3 = printf('%03d', id % 1000),"
        f" term_months = json_extract('[{terms}]', '$[' || (id % {len(TERMS)}) || ']'),"
        " rejoin = (id % 10 = 0)"
        f" WHERE program = 'TN' AND id % {PARTICIPANT_SHARE} = 0"
    )
    # A tenth of the participants renewed once, by hand, six months on.
    db.execute(
        "INSERT INTO renewals (participant_hash, program, last3, member_id, unit_id, day,"
        " term_months, kind, due_was, paid_until, created_at)"
        " SELECT participant_hash, program, participant_last3, member_id, unit_id,"
        " min(paid_until, ?), 6, 'early', paid_until, date(paid_until, '+6 months'), ?"
        " FROM entries WHERE participant_hash IS NOT NULL AND id % 30 = 0",
        (today.isoformat(), today.isoformat()),
    )
    db.execute("INSERT INTO participant_terms SELECT * FROM participant_term_source")
    for _, sql in triggers:
        db.execute(sql)
    units = [row[0] for row in db.execute("SELECT id FROM units")]
    for as_of, base in ((today - timedelta(days=365), 900), (today - timedelta(days=30), 1000)):
        db.executemany(
            "INSERT INTO participant_counts (unit_id, program, as_of, count, imported_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (unit_id, program, as_of.isoformat(), base * (1 + unit_id % 7), as_of.isoformat())
                for unit_id in units
                for program in ("TN", "YT")
            ],
        )
    db.execute(
        "INSERT INTO members (id, unit_id, name, phone, role)"
        " VALUES (?, 1, 'Lãnh đạo tỉnh', '0939000001', 'lead')",
        (LEAD_ID,),
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode = WAL")
    participants = db.execute("SELECT count(*) FROM participant_terms").fetchone()[0]
    db.close()
    return int(participants)


async def due_latencies(path: Path, now: datetime, member_ids: list[int]) -> list[float]:
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: now)
    timings = []
    for member_id in member_ids:
        member = await repo.member(member_id)
        started = time.perf_counter()
        reply = await run_text(services, member, "/denhan", Channel.TELEGRAM, None)
        timings.append(time.perf_counter() - started)
        assert "hạn đóng" in reply.text or "đến hạn" in reply.text, reply.text
    await repo.close()
    return timings


async def roll_forward_time(path: Path, today: date) -> tuple[float, int]:
    """Seconds to bring every unit's count of the province to today, and how many."""
    repo = await SQLiteRepository.open(path)
    started = time.perf_counter()
    counts = await unit_counts(repo, 1, today, 90)
    elapsed = time.perf_counter() - started
    await repo.close()
    return elapsed, len(counts)


def run(folder: Path, province_path: Path, now: datetime, quick: bool) -> None:
    today = local_day(now)
    path = folder / "province-participants.db"
    started = time.perf_counter()
    participants = add_participants(province_path, path, today)
    figure("participants_load_time", time.perf_counter() - started, "s")
    figure("participants_with_terms", participants, "participants")
    samples = 50 if quick else 500
    rng = random.Random(14)
    officers = [rng.randrange(1, 5001) for _ in range(samples)]
    _, officer_p95 = latency(
        "due_list_officer_latency", asyncio.run(due_latencies(path, now, officers))
    )
    _, lead_p95 = latency(
        "due_list_province_lead_latency",
        asyncio.run(due_latencies(path, now, [LEAD_ID] * (samples // 5))),
    )
    ratio("due_list_officer_p95_vs_target", officer_p95, 20, "p95 ms / 20 ms; target <= 1")
    ratio("due_list_province_lead_p95_vs_target", lead_p95, 20, "p95 ms / 20 ms; target <= 1")
    elapsed, rolled = asyncio.run(roll_forward_time(path, today))
    figure("participant_counts_roll_forward_time", elapsed * 1000, "ms")
    figure("participant_counts_rolled", rolled, "unit-programs")
