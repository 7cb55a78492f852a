"""Fault suite: `kill -9` of one of two real `python bot.py` on one PostgreSQL database.

Two processes share the database and the traffic (SMS through /sms/inbound as Kannel's
get-url calls it, Telegram updates and Zalo events through their webhooks, as a load
balancer sends them).
Eight senders log at once; one process is killed with SIGKILL after a random number of
acknowledged messages, mid-traffic. Then:

- every acknowledged message (an SMS answered "Da ghi", an event answered 200) has its
  entry in the database: nothing acknowledged is lost;
- everything that was sent is delivered again to the survivor (as Kannel and Telegram
  retry what was not acknowledged, and may repeat what was): each message is stored
  exactly once. The survivor takes over the claims the dead process left open.

A fresh process replaces the dead one and the next run kills the other side. Like
tests/test_faults_kill.py (SQLite, one process, restarted), with processes that stay.
FAULT_KILL_PG_RUNS sets the number of runs (default 2); FAULT_FIGURES names a file that
gets one JSON line per run (sent, acknowledged, claims the dead process left open, lost,
duplicated).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from storage.postgres import PostgresRepository
from storage.repository import StaffRow
from tests.conftest import POST_OFFICE
from tests.support.botapi import BotApiServer
from tests.support.updates import text_update, user
from tests.support.zaloapi import ZaloApiServer
from tests.test_faults_kill import record
from tests.test_two_processes import SMS_SECRET, Bot, bot_env, rows
from tracker.models import Role

RUNS = int(os.environ.get("FAULT_KILL_PG_RUNS", "2"))
CONCURRENCY = 8
SENDERS = [f"09160000{n:02d}" for n in range(1, 17)]
TELEGRAM_USERS = {phone: user(8200 + n, f"Đại lý {n}") for n, phone in enumerate(SENDERS[:8])}
ZALO_USERS = {phone: f"u-agent-{n}" for n, phone in enumerate(SENDERS[8:12])}
# Nothing scheduled fires (29 February is years away): the traffic is all there is.
QUIET = "\n".join(
    f"[{kind}]\nmonth = 2\nday = 29"
    for kind in ("weekly", "monthly", "quarterly", "reminder", "due_reminder")
)


@dataclass
class Traffic:
    sms: dict[str, str] = field(default_factory=dict)
    """Kannel message id -> sender's phone, for every SMS that left the test."""
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    """update_id -> the Telegram update, for every update that left the test."""
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Zalo message id -> the Zalo event, for every event that left the test."""
    acknowledged: set[str] = field(default_factory=set)
    """Source keys of the messages a process acknowledged before the kill."""

    def expected(self) -> set[str]:
        keys = {sms_key(message_id, phone) for message_id, phone in self.sms.items()}
        keys |= {f"zalo:{message_id}" for message_id in self.events}
        return keys | {telegram_key(update) for update in self.updates.values()}


def sms_key(message_id: str, phone: str) -> str:
    return f"sms:{phone}:id:{message_id}"


def telegram_key(update: dict[str, Any]) -> str:
    message = update["message"]
    return f"tg:{message['chat']['id']}:{message['message_id']}"


async def agents(url: str) -> None:
    """Sixteen agents logging by SMS, eight also on Telegram, four on Zalo."""
    repo = await PostgresRepository.open(url, max_size=2)
    try:
        staff = [
            StaffRow(n, POST_OFFICE, f"Đại lý {n}", p, Role.AGENT) for n, p in enumerate(SENDERS)
        ]
        await repo.import_staff(staff)
        for phone, telegram_user in TELEGRAM_USERS.items():
            member = await repo.member_by_phone(phone)
            assert member is not None
            await repo.link_telegram(member.id, telegram_user["id"])
        for phone, zalo_user in ZALO_USERS.items():
            member = await repo.member_by_phone(phone)
            assert member is not None
            assert await repo.link_zalo(member.id, zalo_user, phone, datetime.now(UTC))
    finally:
        await repo.close()


class Sender:
    """Sends one message (SMS, Telegram update, Zalo event) to one process."""

    def __init__(self, api: BotApiServer, zalo: ZaloApiServer, http: httpx.AsyncClient) -> None:
        self.api, self.zalo, self.http = api, zalo, http

    async def sms(self, bot: Bot, message_id: str, phone: str) -> str | None:
        params = {"from": "84" + phone[1:], "text": "TN 1", "id": message_id}
        try:
            response = await self.http.get(
                f"{bot.base}/sms/inbound", params=params | {"secret": SMS_SECRET}
            )
        except httpx.TransportError:
            return None
        return response.text if response.status_code == 200 else None

    async def update(self, bot: Bot, update: dict[str, Any]) -> bool:
        try:
            [status] = await self.api.post_to_webhooks(update, urls=[bot.webhook])
        except httpx.TransportError:
            return False
        return status == 200

    async def event(self, bot: Bot, event: dict[str, Any]) -> bool:
        try:
            [status] = await self.zalo.deliver_to_each(event, [bot.zalo_webhook])
        except httpx.TransportError:
            return False
        return status == 200


async def traffic_until_killed(
    send: Sender, bots: tuple[Bot, Bot], victim: Bot, traffic: Traffic, label: str
) -> None:
    """Eight senders, each message to one of the two processes; `victim` is killed (-9)
    after a random number of acknowledged messages, while messages are in flight."""
    kill_after = len(traffic.acknowledged) + random.randint(30, 90)
    killed = asyncio.Event()
    update_ids = iter(range(len(traffic.updates) + 1, 1_000_000))

    async def worker(number: int) -> None:
        for index in range(10_000):
            if killed.is_set():
                return
            bot = bots[(number + index) % 2]
            phone = SENDERS[(number * 5 + index) % len(SENDERS)]
            if index % 2 and phone in TELEGRAM_USERS:
                update = text_update(TELEGRAM_USERS[phone], "/ghi TN 1")
                update["update_id"] = next(update_ids)
                traffic.updates[update["update_id"]] = update
                if await send.update(bot, update):
                    traffic.acknowledged.add(telegram_key(update))
            elif index % 2 and phone in ZALO_USERS:
                message_id = f"{label}-w{number}-{index}"
                event = send.zalo.text_update(ZALO_USERS[phone], "TN 1", message_id=message_id)
                traffic.events[message_id] = event
                if await send.event(bot, event):
                    traffic.acknowledged.add(f"zalo:{message_id}")
            else:
                message_id = f"{label}-w{number}-{index}"
                traffic.sms[message_id] = phone
                reply = await send.sms(bot, message_id, phone)
                if reply is not None and reply.startswith("Da ghi 1 TN"):
                    traffic.acknowledged.add(sms_key(message_id, phone))
            if len(traffic.acknowledged) >= kill_after and not killed.is_set():
                victim.process.send_signal(signal.SIGKILL)  # kill -9, mid-traffic
                killed.set()

    await asyncio.gather(*(worker(number) for number in range(CONCURRENCY)))
    await asyncio.to_thread(victim.process.wait)


async def redeliver_all(send: Sender, survivor: Bot, traffic: Traffic) -> None:
    """Every message sent so far, again, to the survivor: each answered as logged."""
    queue: list[tuple[str, Any]] = [("sms", item) for item in traffic.sms.items()]
    queue += [("tg", update) for update in traffic.updates.values()]
    queue += [("zalo", event) for event in traffic.events.values()]
    random.shuffle(queue)

    async def worker() -> None:
        while queue:
            kind, item = queue.pop()
            if kind == "sms":
                reply = await send.sms(survivor, *item)
                assert reply is not None and reply.startswith("Da ghi 1 TN"), reply
            elif kind == "tg":
                assert await send.update(survivor, item), item
            else:
                assert await send.event(survivor, item), item

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def stored_keys(url: str) -> list[str]:
    return [str(key) for (key,) in rows(url, "SELECT source_key FROM entries")]


async def test_kill_9_of_one_of_two_processes_loses_and_doubles_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    await agents(postgres_url)
    async with (
        BotApiServer() as api,
        ZaloApiServer() as zalo,
        httpx.AsyncClient(timeout=60, trust_env=False) as http,
    ):
        env = bot_env(api, postgres_url, tmp_path, QUIET, zalo)
        bots = [Bot(env, tmp_path, "p0"), Bot(env, tmp_path, "p1")]
        send, traffic = Sender(api, zalo, http), Traffic()
        try:
            for bot in bots:
                await bot.health(http)
            for number in range(1, RUNS + 1):
                victim, survivor = bots[number % 2], bots[(number + 1) % 2]
                await traffic_until_killed(send, (bots[0], bots[1]), victim, traffic, f"r{number}")
                assert victim.process.returncode == -signal.SIGKILL

                left_open = rows(
                    postgres_url, "SELECT update_key FROM handled_updates WHERE done_at IS NULL"
                )
                after_kill = set(stored_keys(postgres_url))
                lost = sorted(traffic.acknowledged - after_kill)
                assert lost == [], f"run {number}: acknowledged but not stored: {lost}"

                await redeliver_all(send, survivor, traffic)
                keys = stored_keys(postgres_url)
                assert len(keys) == len(set(keys)), f"run {number}: stored twice"
                assert set(keys) == traffic.expected(), f"run {number}"
                [(total,)] = rows(postgres_url, "SELECT sum(count) FROM entries")
                assert total == len(traffic.expected())
                assert rows(
                    postgres_url, "SELECT count(*) FROM handled_updates WHERE done_at IS NULL"
                ) == [(0,)]
                record(
                    {
                        "run": number,
                        "sent": len(traffic.expected()),
                        "sms": len(traffic.sms),
                        "updates": len(traffic.updates),
                        "zalo_events": len(traffic.events),
                        "acknowledged": len(traffic.acknowledged),
                        "left_open": len(left_open),
                        "lost": len(lost),
                        "duplicated": len(keys) - len(set(keys)),
                    }
                )

                if number < RUNS:  # a fresh process in its place; the next run kills the other
                    replacement = Bot(env, tmp_path, f"p{number + 1}")
                    bots[bots.index(victim)] = replacement
                    await replacement.health(http)
        finally:
            for bot in bots:
                bot.stop()
