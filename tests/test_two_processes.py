"""Two real `python bot.py` processes on one PostgreSQL database, Telegram in webhook mode
behind a "load balancer" (the test Bot API server posting each update to both webhooks),
the database behind a real PgBouncer in transaction mode with two server connections
(any transaction of either process may run on either, as in production).

What must hold (issue 15): an update, a Zalo event or an SMS that reaches both processes
counts once; a button flow started on one process finishes on the other (its question
lives in the database); a scheduled summary both processes fire is sent once. Zalo's
stand-in server (tests/support/zaloapi.py) posts its events to both `/zalo` webhooks.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from storage.postgres import PostgresRepository
from storage.repository import QuotaRow
from tests.conftest import COMMUNE, STAFF
from tests.support.botapi import BotApiServer
from tests.support.net import free_port
from tests.support.pgbouncer import PgBouncer
from tests.support.postgres import PostgresServer
from tests.support.updates import callback_update, text_update, user
from tests.support.zaloapi import ZaloApiServer
from tracker.models import Role, TargetKind
from tracker.periods import VIETNAM

ROOT = Path(__file__).resolve().parent.parent
SECRET = "two-process-webhook"
SMS_SECRET = "two-process-sms"
ZALO_SECRET = "two-process-zalo"
LAN_ZALO = "u-lan"
LAN = user(8101, "Lan")
LEAD = user(8102, "Đức")
GROUP = -1008100000001
# Every minute, the weekly summary of the week that ended: both processes fire it at
# start (the catch-up) and every minute after; the other jobs only on 29 February.
SCHEDULE = """
grace_days = 1
[weekly]
day_of_week = "*"
hour = "*"
minute = "*"
[monthly]
month = 2
day = 29
[quarterly]
month = 2
day = 29
[reminder]
month = 2
day = 29
[due_reminder]
month = 2
day = 29
"""


async def organisation(url: str) -> None:
    """The small organisation, Lan and her lead linked on Telegram, the commune's group."""
    repo = await PostgresRepository.open(url, max_size=2)
    try:
        await repo.import_staff(STAFF)
        year = str(datetime.now(VIETNAM).year)
        quotas = [
            QuotaRow(0, TargetKind.MEMBER, row.phone, "TN", year, 120)
            for row in STAFF
            if row.role is not Role.LEAD
        ]
        await repo.import_quotas(quotas, datetime.now(VIETNAM))
        for telegram_user, phone in ((LAN, "0912000001"), (LEAD, "0913000001")):
            member = await repo.member_by_phone(phone)
            assert member is not None
            await repo.link_telegram(member.id, telegram_user["id"])
        lan = await repo.member_by_phone("0912000001")
        assert lan is not None
        assert await repo.link_zalo(lan.id, LAN_ZALO, lan.phone, datetime.now(VIETNAM))
        commune = await repo.unit_by_path(COMMUNE)
        assert commune is not None
        await repo.bind_group(commune.id, GROUP)
    finally:
        await repo.close()


class Bot:
    """One `python bot.py` in webhook mode on its own port."""

    def __init__(self, env: dict[str, str], tmp_path: Path, name: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.webhook = f"{self.base}/telegram"
        self.zalo_webhook = f"{self.base}/zalo"
        self.log = tmp_path / f"{name}.log"
        env = env | {"HTTP_PORT": str(self.port), "TELEGRAM_WEBHOOK_URL": self.webhook}
        if "ZALO_BOT_TOKEN" in env:
            env["ZALO_WEBHOOK_URL"] = self.zalo_webhook
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "bot.py")], env=env, cwd=tmp_path,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    async def health(self, http: httpx.AsyncClient) -> dict[str, Any]:
        """/healthz once Telegram and Zalo (when set) are up, their webhooks registered;
        waits for start-up."""
        for _ in range(1200):  # waiting for start-up on a busy machine, not timing it
            assert self.process.poll() is None, self.log.read_text()
            try:
                health = (await http.get(f"{self.base}/healthz")).json()
                if all(health["parts"].get(part, "up") == "up" for part in ("telegram", "zalo")):
                    return dict(health)
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
        raise AssertionError(f"bot.py did not come up: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def bot_env(
    api: BotApiServer, url: str, tmp_path: Path, schedule: str, zalo: ZaloApiServer | None = None
) -> dict[str, str]:
    """The environment every process gets (each adds its own port and webhook URLs)."""
    schedule_file = tmp_path / "schedule.toml"
    schedule_file.write_text(schedule, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_", "ZALO_"))}
    env |= {
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url.removesuffix("/bot"),
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "SMS_INBOUND_SECRET": SMS_SECRET,
        "SCHEDULE_FILE": str(schedule_file),
        "PTB_TIMEDELTA": "true",
    }
    if zalo is not None:
        env |= {
            "ZALO_BOT_TOKEN": zalo.token,
            "ZALO_API_BASE_URL": zalo.base_url,
            "ZALO_WEBHOOK_SECRET": ZALO_SECRET,
        }
    return env


@asynccontextmanager
async def two_bots(
    api: BotApiServer, url: str, tmp_path: Path, zalo: ZaloApiServer | None = None
) -> AsyncIterator[list[Bot]]:
    env = bot_env(api, url, tmp_path, SCHEDULE, zalo)
    bots = [Bot(env, tmp_path, "a"), Bot(env, tmp_path, "b")]
    try:
        yield bots
    finally:
        for bot in bots:
            bot.stop()


def rows(url: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as db:
        return db.execute(sql, params).fetchall()


def texts_to(api: BotApiServer, chat_id: int, since: int = 0) -> list[str]:
    return [call.params["text"] for call in api.sent_messages(chat_id)[since:]]


async def settled(api: BotApiServer, seconds: float = 1.5) -> None:
    """Wait until the bots have made no call for `seconds` (a late duplicate would show)."""
    while True:
        seen = api.mark()
        await asyncio.sleep(seconds)
        if api.mark() == seen:
            return


async def test_two_processes_count_once_share_flows_and_send_a_summary_once(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    await organisation(postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    async with (
        BotApiServer() as api,
        ZaloApiServer() as zalo,
    ):
        with PgBouncer(postgres_server, pool_size=2) as bouncer:
            bounced = bouncer.bounced(postgres_url)
            async with (
                two_bots(api, bounced, tmp_path, zalo) as (a, b),
                httpx.AsyncClient(timeout=30, trust_env=False) as http,
            ):
                await both_processes(api, zalo, a, b, http, postgres_url)
                clients, servers = bouncer.connections(database)
                # Both processes' pools share at most two server sessions.
                assert clients > servers and servers <= 2, (clients, servers)


async def both_processes(
    api: BotApiServer,
    zalo: ZaloApiServer,
    a: Bot,
    b: Bot,
    http: httpx.AsyncClient,
    postgres_url: str,
) -> None:
    """Everything two processes must get right together, checked in the database."""
    health_a, health_b = await a.health(http), await b.health(http)
    assert set(api.webhooks) == {a.webhook, b.webhook}
    assert health_a["database"]["backend"] == "postgresql"
    assert health_a["process"]["pid"] == a.process.pid
    assert health_b["process"]["pid"] == b.process.pid
    both = sorted([health_a["process"]["name"], health_b["process"]["name"]])
    assert (await http.get(f"{a.base}/healthz")).json()["processes"] == both

    # The summary both processes fired at start (and fire every minute): sent once.
    # The group gets the summary, and its lead a private copy.
    for _ in range(480):  # waiting for two start-ups and a chart, not timing them
        if len(api.calls_of("sendPhoto")) >= 2:
            break
        await asyncio.sleep(0.25)
    await settled(api)
    summaries = {call.params["chat_id"]: call for call in api.calls_of("sendPhoto")}
    assert sorted(summaries) == sorted([GROUP, LEAD["id"]])
    assert summaries[GROUP].params["caption"].startswith("📣 Tổng hợp tuần")

    # One update posted to both webhooks at once: logged once, answered once.
    statuses = await api.post_to_webhooks(text_update(LAN, "/ghi TN 2"))
    assert statuses == [200, 200]
    await settled(api)
    [answer] = texts_to(api, LAN["id"])
    today = datetime.now(VIETNAM).strftime("%d/%m/%Y")
    assert answer.splitlines()[0] == f"✅ Đã ghi 2 người tham gia BHXH tự nguyện ngày {today}."
    entries = rows(postgres_url, "SELECT count, source_key FROM entries")
    assert [count for count, _ in entries] == [2]

    # An SMS Kannel delivered to both processes: counted once, the same reply twice.
    sms = {"from": "84912000001", "text": "TN 3", "id": "kannel-7", "secret": SMS_SECRET}
    replies = await asyncio.gather(
        *(http.get(f"{bot.base}/sms/inbound", params=sms) for bot in (a, b))
    )
    assert [reply.status_code for reply in replies] == [200, 200]
    assert replies[0].text == replies[1].text
    assert replies[0].text.splitlines()[0] == f"Da ghi 3 TN ngay {today}."
    assert sorted(c for (c,) in rows(postgres_url, "SELECT count FROM entries")) == [2, 3]

    # A Zalo event posted to both processes' webhooks: logged once, answered once.
    event = zalo.text_update(LAN_ZALO, "YT 4", message_id="zalo-both")
    assert await zalo.deliver_to_each(event, [a.zalo_webhook, b.zalo_webhook]) == [200, 200]
    await settled(api)
    [zalo_answer] = zalo.texts_to(LAN_ZALO)
    assert (
        zalo_answer.splitlines()[0] == f"✅ Đã ghi 4 người tham gia BHYT hộ gia đình ngày {today}."
    )
    logged = rows(postgres_url, "SELECT program, count, source_key FROM entries ORDER BY id")
    assert logged[2:] == [("YT", 4, "zalo:zalo-both")]

    # A confirmation asked by process A, the button tapped on process B.
    since = len(api.sent_messages(LEAD["id"]))
    ask = text_update(LEAD, "/chitieu 0912000001 TN tháng trước 9")
    assert await api.post_to_webhooks(ask, urls=[a.webhook]) == [200]
    await settled(api)
    [question] = api.sent_messages(LEAD["id"])[since:]
    buttons = question.params["reply_markup"]["inline_keyboard"]
    yes = buttons[0][0]["callback_data"]
    assert yes == "/xacnhan"  # the question itself is in the postgres_url, not the button
    tap = callback_update(LEAD, yes, message_id=question.result["message_id"])
    assert await api.post_to_webhooks(tap, urls=[b.webhook]) == [200]
    await settled(api)
    [done] = texts_to(api, LEAD["id"], since + 1)
    key = previous_month_key()
    month = f"tháng {key[5:]}/{key[:4]}"
    assert question.params["text"].splitlines()[0] == (
        f"Chỉ tiêu BHXH tự nguyện {month} của Nguyễn Thị Lan (0912000001): — → 9 (chưa lưu)."
    )
    assert done == f"✅ Chỉ tiêu BHXH tự nguyện {month} của Nguyễn Thị Lan (0912000001): — → 9."
    quota = rows(
        postgres_url,
        "SELECT value FROM quotas WHERE program = 'TN' AND period_key = ?".replace("?", "%s"),
        key,
    )
    assert quota == [(9,)]
    assert rows(postgres_url, "SELECT count(*) FROM pending_choices") == [(0,)]

    # Whatever minute boundaries passed meanwhile, still one summary in the group.
    photos = sorted(call.params["chat_id"] for call in api.calls_of("sendPhoto"))
    assert photos == sorted([GROUP, LEAD["id"]])  # each once
    deliveries = rows(postgres_url, "SELECT state, owner FROM schedule_deliveries")
    assert len(deliveries) == 2
    assert all(state == "sent" and owner in both for state, owner in deliveries)


def previous_month_key() -> str:
    today = datetime.now(VIETNAM)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"
