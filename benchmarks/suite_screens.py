"""Issue 17: the office TV. An entry reaching 500 open event streams, and the bot's CPU.

The bot (this process) serves the real Starlette app with uvicorn on a province
database; a TV link shows one district office (about 500 people). A load process opens
500 event streams on it, as 500 TVs and browsers would, and notes when each board
event arrives. The bot then logs entries one at a time through the console path
(`run_text`), each in the office's subtree, and waits until every stream has the new
board. Timings compare CLOCK_MONOTONIC readings of both processes (one machine).

- screen_update_500: per entry, from `run_text` starting to the last of the 500 streams
  receiving the board (median, p95);
- screen_update_each: the same for every stream and entry;
- screen_cpu_per_entry: the bot process's CPU (all threads) per entry while the 500
  streams are open, against the same entries with no page open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks import province
from benchmarks.report import figure, latency, ratio
from benchmarks.suite_sms import serving
from channels.http import build_http_app
from commands.context import Services
from commands.registry import run_text
from commands.screen import new_screen_token, screen_path, screen_token_hash
from settings import Settings
from storage.sqlite import SQLiteRepository
from tracker.models import Channel
from tracker.periods import local_day
from tracker.rules import load_rules

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
STREAMS = 500
OFFICE = 2
"""BHXH cơ sở số 1: its 16 communes hold members 1-16, 161-176, ... (province.build)."""


def office_member(n: int) -> int:
    """The n-th member of the office's subtree (members are dealt to 160 communes)."""
    return (n // 16) * 160 + n % 16 + 1


async def entries(services: Services, first: int, count: int) -> list[float]:
    """Log `count` entries, one after another; when each started (CLOCK_MONOTONIC)."""
    starts = []
    for n in range(first, first + count):
        member = await services.repo.member(office_member(n))
        starts.append(time.monotonic())
        reply = await run_text(services, member, "TN 1", Channel.CONSOLE, f"tv{n}")
        assert reply.text.startswith("✅"), reply.text
    return starts


async def measure(path: Path, quick: bool) -> None:
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: NOW)
    token = new_screen_token()
    office = await repo.unit(OFFICE)
    lead = await repo.member(1)
    await repo.create_screen(office.id, screen_token_hash(token), token[:4], lead.id, NOW)
    count = 15 if quick else 60
    app = build_http_app(services, Settings())
    try:
        async with serving(app) as base:
            # Without any page open: what an entry costs the bot by itself.
            await entries(services, 0, 3)  # warm up
            cpu = time.process_time()
            await entries(services, 3, count)
            alone = (time.process_time() - cpu) / count

            url = f"{base}{screen_path(token)}/events"
            watchers = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.suite_screens", url, str(STREAMS),
                cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert watchers.stdout is not None and watchers.stdin is not None
            assert (await watchers.stdout.readline()).strip() == b"ready"
            cpu = time.process_time()
            starts = []
            for n in range(count):
                starts += await entries(services, 100 + n, 1)
                assert (await watchers.stdout.readline()).strip() == f"got {n + 1}".encode()
            watched = (time.process_time() - cpu) / count
            watchers.stdin.close()
            arrivals = json.loads(await watchers.stdout.read())
            await watchers.wait()
    finally:
        await repo.close()
    each = [arrived[n] - starts[n] for arrived in arrivals for n in range(count)]
    last = [max(arrived[n] for arrived in arrivals) - starts[n] for n in range(count)]
    latency("screen_update_500", last)
    latency("screen_update_each", each)
    figure("screen_cpu_per_entry_500_open", watched * 1000, "ms")
    figure("screen_cpu_per_entry_none_open", alone * 1000, "ms")
    ratio(
        "screen_cpu_500_open_vs_none",
        watched,
        alone,
        "screen_cpu_per_entry_500_open / screen_cpu_per_entry_none_open",
    )


async def watch(url: str, streams: int) -> None:
    """The load process: `streams` event streams; after the first board on each, say
    `ready`; after the n-th new board on every one, say `got n`; at the end, each
    stream's arrival times."""
    arrivals: list[list[float]] = [[] for _ in range(streams)]
    opened = asyncio.Event()
    first_boards = 0
    progress = asyncio.Condition()

    async def stream(index: int, client: httpx.AsyncClient) -> None:
        nonlocal first_boards
        async with client.stream("GET", url) as response:
            assert response.status_code == 200
            seen_first = False
            async for line in response.aiter_lines():
                if not line.startswith("event: board"):
                    continue
                if not seen_first:
                    seen_first = True
                    first_boards += 1
                    if first_boards == streams:
                        opened.set()
                    continue
                arrivals[index].append(time.monotonic())
                async with progress:
                    progress.notify_all()

    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=None, trust_env=False) as client:
        tasks = [asyncio.create_task(stream(index, client)) for index in range(streams)]
        await opened.wait()
        print("ready", flush=True)
        reported = 0
        stdin_closed = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        while not stdin_closed.done():
            async with progress:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(progress.wait(), 0.5)
            done = min(len(times) for times in arrivals)
            while reported < done:
                reported += 1
                print(f"got {reported}", flush=True)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(arrivals), flush=True)


def run(folder: Path, quick: bool) -> None:
    path = folder / "screens.db"
    entries_count = 20_000 if quick else 300_000
    province.build(path, members=5000, entries=entries_count, until=local_day(NOW))
    asyncio.run(measure(path, quick))


if __name__ == "__main__":  # the load process: python -m benchmarks.suite_screens URL N
    asyncio.run(watch(sys.argv[1], int(sys.argv[2])))
