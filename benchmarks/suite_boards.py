"""Issue 3: `/bxh` and `/donvi` latency for a province, beside pandas computing the same.

The pandas baseline is what an analyst would write: read the month's counting entries
and the quotas from the same database, group by member, derive targets, sort. It is
timed with the read (what a bot built that way pays on every request) and on rows
already in memory (the groupby and sort alone).
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from benchmarks.report import latency, ratio
from commands.context import Services
from commands.registry import run_text
from storage.sqlite import SQLiteRepository
from tracker.models import Channel, Member, Role
from tracker.periods import Period, PeriodKind, local_day, period_containing
from tracker.quotas import target_for
from tracker.rules import load_rules

# Who asks, and the unit their board covers: an officer's commune (~30 people), a
# grassroots office lead (~500), a province lead (all 5,000).
SCOPES = (("officer", None), ("office_lead", 2), ("province_lead", 1))
OFFICER_COMMUNE = 3  # where benchmarks.province puts member 1


async def command_latencies(
    path: Path,
    now: datetime,
    texts: Sequence[str],
    scope_unit: int | None,
    *,
    entry_before_each: bool = False,
) -> list[float]:
    """Each of `texts` asked in turn by member 1, or by a lead of `scope_unit`.

    `entry_before_each`: someone in the province logs an entry (untimed) before each
    ask, so each board first recounts what changed (storage/board_cache.py)."""
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: now)
    member = await repo.member(1)
    if scope_unit is not None:
        member = Member(member.id, scope_unit, member.name, member.phone, Role.LEAD)
    timings = []
    for sample, text in enumerate(texts):
        if entry_before_each:
            logger = await repo.member(2 + sample * 37 % 4999)
            key = f"board-bench:{scope_unit}:{sample}"  # unique: a repeat would log nothing
            logged = await run_text(services, logger, "TN 1", Channel.SMS, key)
            assert logged.text.startswith("Da ghi"), logged.text
        started = time.perf_counter()
        reply = await run_text(services, member, text, Channel.TELEGRAM, None)
        timings.append(time.perf_counter() - started)
        assert "%" in reply.text, reply.text
    await repo.close()
    return timings


def read_rows(
    db: sqlite3.Connection, month: Period, scope_unit: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    in_scope = (
        "SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id"
        " WHERE u.lineage LIKE (SELECT lineage FROM units WHERE id = ?) || '%'"
    )
    entries = pd.read_sql_query(
        "SELECT member_id, count, created_at FROM entries WHERE day BETWEEN ? AND ?"
        f" AND state IN ('reported', 'confirmed') AND member_id IN ({in_scope})",
        db,
        params=(month.first.isoformat(), month.last.isoformat(), scope_unit),
    )
    quotas = pd.read_sql_query(
        "SELECT target_id, period_key, value FROM quotas WHERE target_kind = 'member'"
        f" AND target_id IN ({in_scope})",
        db,
        params=(scope_unit,),
    )
    return entries, quotas


def pandas_ranking(entries: pd.DataFrame, quotas: pd.DataFrame, month: Period) -> pd.DataFrame:
    totals = entries.groupby("member_id").agg(
        achieved=("count", "sum"), last_at=("created_at", "max")
    )
    yearly = quotas.groupby("target_id")["value"].sum()
    targets = yearly.map(lambda value: target_for(month, {str(month.first.year): int(value)}))
    board = totals.join(targets.rename("target"), how="outer").fillna({"achieved": 0})
    board["percent"] = board["achieved"] * 100 // board["target"]
    return board.sort_values(["percent", "achieved", "last_at"], ascending=[False, False, True])


def pandas_timings(
    path: Path, month: Period, scope_unit: int, runs: int
) -> tuple[list[float], list[float]]:
    with_read, in_memory = [], []
    with sqlite3.connect(path) as db:
        for _ in range(runs):
            started = time.perf_counter()
            entries, quotas = read_rows(db, month, scope_unit)
            read_done = time.perf_counter()
            pandas_ranking(entries, quotas, month)
            finished = time.perf_counter()
            with_read.append(finished - started)
            in_memory.append(finished - read_done)
    return with_read, in_memory


def run(path: Path, now: datetime, quick: bool) -> None:
    samples = 30 if quick else 200
    month = period_containing(PeriodKind.MONTH, local_day(now))
    for who, scope_unit in SCOPES:
        top = asyncio.run(command_latencies(path, now, ["/bxh"] * samples, scope_unit))
        latency(f"top_{who}_latency", top)
        after_entry = asyncio.run(
            command_latencies(path, now, ["/bxh"] * samples, scope_unit, entry_before_each=True)
        )
        latency(f"top_{who}_after_an_entry_latency", after_entry)
        latency(
            f"units_{who}_latency",
            asyncio.run(command_latencies(path, now, ["/donvi"] * samples, scope_unit)),
        )
        commune = OFFICER_COMMUNE if scope_unit is None else scope_unit
        with_read, in_memory = pandas_timings(path, month, commune, 5 if quick else 20)
        latency(f"pandas_{who}_ranking_with_read", with_read)
        latency(f"pandas_{who}_ranking_in_memory", in_memory)
        ratio(
            f"pandas_with_read_vs_top_{who}",
            statistics.median(with_read),
            statistics.median(top),
            f"pandas_{who}_ranking_with_read_median / top_{who}_latency_median; target >= 10",
        )
        ratio(
            f"pandas_with_read_vs_top_{who}_after_an_entry",
            statistics.median(with_read),
            statistics.median(after_entry),
            f"pandas_{who}_ranking_with_read_median / top_{who}_after_an_entry_latency_median",
        )
        ratio(
            f"pandas_in_memory_vs_top_{who}",
            statistics.median(in_memory),
            statistics.median(top),
            f"pandas_{who}_ranking_in_memory_median / top_{who}_latency_median",
        )
