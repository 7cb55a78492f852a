"""Issue 5: inbound SMS handled per second, straight to the bot's HTTP endpoint and via Kannel.

Both runs send `TN 1` from one member after another to the real Starlette app served by
uvicorn on 127.0.0.1, on a province database. "http" is httpx playing Kannel's get-url;
"kannel" injects each SMS at a real Kannel's HTTP SMSC and counts it handled when the
reply SMS comes out at the other side (bearerbox -> smsbox -> bot -> smsbox -> bearerbox).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette

from benchmarks import province
from benchmarks.report import figure, latency, ratio
from channels.http import build_http_app
from commands.context import Services
from settings import Settings
from storage.sqlite import SQLiteRepository
from tests.support.kannel import KannelGateway, free_port, kannel_available
from tracker.periods import local_day
from tracker.rules import load_rules

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SECRET = "bench-secret"
MEMBERS = 5000
ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 8


def sender(number: int) -> str:
    """The province's members, as the network writes their numbers (84...)."""
    return f"849{number % MEMBERS + 1:08d}"


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """uvicorn as `python bot.py` runs it (host and port), in this event loop."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def load(base: str, count: int, first: int) -> tuple[float, list[float]]:
    """Messages per second with CONCURRENCY callers, and each call's latency."""
    timings: list[float] = []
    numbers = iter(range(first, first + count))

    async def caller(client: httpx.AsyncClient) -> None:
        for number in numbers:
            params = {"from": sender(number), "text": "TN 1", "id": f"h{number}"}
            started = time.perf_counter()
            response = await client.get("/sms/inbound", params={**params, "secret": SECRET})
            timings.append(time.perf_counter() - started)
            assert response.text.startswith("Da ghi 1"), response.text

    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(caller(client) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return count / elapsed, timings


async def http_rate(base: str, count: int) -> tuple[float, list[float]]:
    """`load` from its own process, as Kannel would be: the bot's loop only serves."""
    client = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.suite_sms", base, str(count),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, _ = await client.communicate()
    if client.returncode != 0:
        raise RuntimeError(f"load generator failed with {client.returncode}")
    rate, timings = json.loads(output)
    return float(rate), [float(t) for t in timings]


async def kannel_rate(gateway: KannelGateway, count: int, first: int) -> float:
    """Inject `count` MOs (CONCURRENCY at a time) and wait for every reply SMS."""
    numbers = iter(range(first, first + count))

    async def injector() -> None:
        for number in numbers:
            await gateway.inject_mo(sender(number), "TN 1")

    started = time.perf_counter()
    await asyncio.gather(*(injector() for _ in range(CONCURRENCY)))
    for _ in range(count):
        reply = await gateway.wait_mt(timeout=60)
        assert reply.text.startswith("Da ghi 1"), reply.text
    return count / (time.perf_counter() - started)


async def kannel_round_trips(gateway: KannelGateway, samples: int, first: int) -> list[float]:
    """One SMS at a time: from the phone's send to the reply reaching the network."""
    timings = []
    for number in range(first, first + samples):
        started = time.perf_counter()
        await gateway.inject_mo(sender(number), "TD")
        await gateway.wait_mt(to=sender(number), timeout=30)
        timings.append(time.perf_counter() - started)
    return timings


async def measure(path: Path, folder: Path, quick: bool) -> None:
    repo = await SQLiteRepository.open(path)
    services = Services(repo, load_rules(), lambda: NOW)
    app = build_http_app(services, Settings(sms_inbound_secret=SECRET))
    direct_count, kannel_count = (600, 300) if quick else (5000, 2000)
    try:
        async with serving(app) as base:
            direct, timings = await http_rate(base, direct_count)
            figure("sms_inbound_http_rate", direct, "sms/s")
            latency("sms_inbound_http_latency", timings)
            if not kannel_available():
                print("sms_inbound_kannel_rate: skipped (Kannel is not installed)", flush=True)
                return
            template = f"{base}/sms/inbound?from=%p&to=%P&text=%a&id=%I&ts=%t&secret={SECRET}"
            async with KannelGateway(get_url_template=template, tmp_path=folder) as gateway:
                via_kannel = await kannel_rate(gateway, kannel_count, direct_count)
                round_trips = await kannel_round_trips(gateway, 20 if quick else 200, 0)
            figure("sms_inbound_kannel_rate", via_kannel, "sms/s")
            latency("sms_kannel_round_trip", round_trips)
            ratio(
                "sms_kannel_vs_http",
                via_kannel,
                direct,
                "sms_inbound_kannel_rate / sms_inbound_http_rate",
            )
    finally:
        await repo.close()


def run(folder: Path, quick: bool) -> None:
    path = folder / "sms.db"
    entries = 20_000 if quick else 1_000_000
    province.build(path, members=MEMBERS, entries=entries, until=local_day(NOW))
    asyncio.run(measure(path, folder, quick))


if __name__ == "__main__":  # the load generator: python -m benchmarks.suite_sms BASE COUNT
    print(json.dumps(asyncio.run(load(sys.argv[1], int(sys.argv[2]), 10**6))))
