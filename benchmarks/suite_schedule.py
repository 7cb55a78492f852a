"""Issue 6: chart render latency, and a Monday-morning fan-out of group summaries.

The fan-out is the product's own path, end to end except the network: the runner plans
the weekly summary for every bound group, gathers each from SQLite, composes it, renders
its chart off the event loop and sends it through python-telegram-bot with its
AIORateLimiter. The network edge is an httpx MockTransport answering like the Bot API.
Telegram allows about 30 messages a second overall, so N groups cannot take less than
N/30 s: the ratio to that floor says whether we, not Telegram, are the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from benchmarks.province import create_schema
from benchmarks.report import figure, latency, ratio
from commands.context import Services
from leaderboards.chart_data import Bar, ProgressChart, TrendChart
from leaderboards.charts import render_progress, render_trend
from scheduling.outbox import TelegramOut
from scheduling.runner import ScheduleRunner, render_in
from scheduling.triggers import DeliveryPolicy, load_schedule
from storage.sqlite import SQLiteRepository
from tracker.rules import load_rules

MONDAY_0800 = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)
TELEGRAM_PER_SECOND = 30
NAMES = ["Nguyễn Thị Lan", "Phạm Văn Nam", "Vũ Thị Hoa", "Trần Minh Đức", "Lê Thị Ngọc Ánh"]


def sample_charts(rng: random.Random) -> tuple[ProgressChart, TrendChart]:
    bars = [Bar(f"{rng.choice(NAMES)} {n}", rng.randrange(0, 14_000)) for n in range(10)]
    bars.sort(key=lambda bar: -(bar.completion or 0))
    progress = ProgressChart(
        "Phường Hạc Thành · Tháng 11/2026", "Hoàn thành kế hoạch của từng người, đến ngày 23/11",
        bars, 7_700, "cần đạt hôm nay 77%",
    )  # fmt: skip
    running, cumulative = 0, []
    for _ in range(23):
        running += rng.randrange(0, 90)
        cumulative.append(running)
    trend = TrendChart(
        "Phường Hạc Thành · Tháng 11/2026", "Lũy kế người tham gia so với kế hoạch",
        date(2026, 11, 1), 30, cumulative, 1609, "Đã đạt", "Kế hoạch 1.609",
    )  # fmt: skip
    return progress, trend


def render_latencies(samples: int) -> None:
    rng = random.Random(6)
    progress, trend = sample_charts(rng)
    render_progress(progress), render_trend(trend)  # fonts and glyph outlines, once
    timings: dict[str, list[float]] = {"progress": [], "trend": []}
    for _ in range(samples):
        progress, trend = sample_charts(rng)
        started = time.perf_counter()
        render_progress(progress)
        middle = time.perf_counter()
        render_trend(trend)
        timings["progress"].append(middle - started)
        timings["trend"].append(time.perf_counter() - middle)
    latency("chart_render_progress", timings["progress"])
    latency("chart_render_trend", timings["trend"])


def build_groups(path: Path, groups: int, members_per_group: int = 4) -> None:
    """A province of `groups` communes, each bound to a team group, with two weeks of entries."""
    asyncio.run(create_schema(path))
    rng = random.Random(11)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO units (id, parent_id, path, lineage) VALUES (1, NULL, 'BHXH tỉnh', '/1/')"
    )
    db.executemany(
        "INSERT INTO units (id, parent_id, path, lineage, group_chat_id) VALUES (?, 1, ?, ?, ?)",
        ((n + 2, f"BHXH tỉnh / Xã {n + 1}", f"/1/{n + 2}/", -1_000_000 - n) for n in range(groups)),
    )
    members = [(m + 1, m // members_per_group + 2) for m in range(groups * members_per_group)]
    db.executemany(
        "INSERT INTO members (id, unit_id, name, phone, role) VALUES (?, ?, ?, ?, 'agent')",
        ((m, unit, f"{rng.choice(NAMES)} {m}", f"09{m:08d}") for m, unit in members),
    )
    db.executemany(
        "INSERT INTO quotas (target_kind, target_id, program, period_key, value, updated_at)"
        " VALUES ('member', ?, ?, '2026', ?, '2026-01-01T00:00:00+00:00')",
        ((m, program, 240) for m, _ in members for program in ("TN", "YT")),
    )
    days = [date(2026, 11, 9) + timedelta(days=offset) for offset in range(14)]
    db.executemany(
        "INSERT INTO entries (member_id, unit_id, program, day, count, channel, created_at)"
        " VALUES (?, ?, ?, ?, ?, 'sms', ?)",
        (
            (m, unit, rng.choice(("TN", "YT")), day.isoformat(), rng.randint(1, 3),
             datetime(day.year, day.month, day.day, 3, tzinfo=UTC).isoformat())
            for m, unit in members
            for day in rng.sample(days, 4)
        ),
    )  # fmt: skip
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()


def _bot_api(request: httpx.Request) -> httpx.Response:
    """Answers like api.telegram.org: every message accepted."""
    method = request.url.path.rsplit("/", 1)[-1]
    if method == "getMe":
        result: object = {"id": 1, "is_bot": True, "first_name": "Bot", "username": "bot"}
    else:
        chat = {"id": -1, "type": "supergroup", "title": "Nhóm"}
        photo = [{"file_id": "F", "file_unique_id": "U", "width": 1080, "height": 900}]
        result = {"message_id": 1, "date": 0, "chat": chat, "photo": photo}
    return httpx.Response(200, content=json.dumps({"ok": True, "result": result}))


async def fan_out(path: Path, groups: int) -> tuple[float, int]:
    """Seconds to plan and send the weekly summary to every group; messages sent."""
    sent = 0

    def counting(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += request.url.path.endswith("/sendPhoto")
        return _bot_api(request)

    transport = httpx.MockTransport(counting)
    bot = ExtBot(
        "123:BENCH",
        request=HTTPXRequest(httpx_kwargs={"transport": transport}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"transport": transport}),
        rate_limiter=AIORateLimiter(max_retries=3),
    )
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: MONDAY_0800)
    # One day of grace: Friday's reminder went out on Friday; Monday's summaries remain.
    config = replace(load_schedule(), grace=timedelta(days=1), delivery=DeliveryPolicy(3, 1.0, 16))
    # As `python bot.py` runs it: charts in a spawned process pool, one core left.
    workers = max(1, (os.cpu_count() or 2) - 1)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        render = render_in(pool)
        await render(sample_charts(random.Random(1))[1])  # workers started before the clock
        runner = ScheduleRunner(services, config, TelegramOut(bot), render=render)
        await bot.initialize()
        started = time.perf_counter()
        await runner.run_due()
        elapsed = time.perf_counter() - started
    await bot.shutdown()
    await repo.close()
    return elapsed, sent


def run(folder: Path, quick: bool) -> None:
    render_latencies(12 if quick else 100)
    groups = 330 if quick else 3300
    path = folder / "schedule.db"
    build_groups(path, groups)
    elapsed, sent = asyncio.run(fan_out(path, groups))
    assert sent == groups, f"{sent} of {groups} summaries sent"
    floor = groups / TELEGRAM_PER_SECOND
    figure("schedule_fanout_groups", groups, "groups")
    figure("schedule_fanout_time", elapsed, "s")
    figure("schedule_fanout_telegram_floor", floor, "s")
    ratio("schedule_fanout_vs_floor", elapsed, floor, "fan-out time / (groups / 30 per s)")
