"""No participant code anywhere but in the officer's own message (Decree 13/2023).

A code is logged through the console path and through the real Telegram stack (and,
with a real `python bot.py`, through an SMS from Kannel); then the raw bytes of the
database and its write-ahead log, and every log record at DEBUG, are searched for it.
Only the keyed hash and the last 3 digits may be found.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import CallbackContext

from channels.telegram import (
    TelegramApp,
    on_error,
)
from commands.context import Services
from commands.registry import run_text
from storage.backends import is_postgres
from storage.store_base import StoreBase
from tests.support.botapi import BotApiServer
from tests.support.db import database_url, dump
from tests.support.net import free_port
from tests.support.telegram import send
from tests.support.updates import contact_update, text_update, user
from tracker.models import Channel
from tracker.participants import participant_hash

ROOT = Path(__file__).resolve().parent.parent
SECRET = "privacy-test-secret"
CONSOLE_CODE = "0381960012"  # 10 digits, legacy BHXH code
TELEGRAM_CODE = "038096004567"  # 12 digits, CCCD
LAN = user(8101, "Lan")


def raw_bytes(folder: Path) -> bytes:
    """The database file and everything beside it (-wal, -shm, -journal)."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("quota.db*")))


@pytest.fixture
async def bot(bot: TelegramApp, services: Services) -> TelegramApp:
    """The shared running bot, with participant codes enabled."""
    services.repo.use_participant_secret(SECRET)
    return bot


async def test_codes_logged_by_console_and_telegram_leave_no_trace(
    server: BotApiServer,
    bot: TelegramApp,
    services: Services,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    repo = services.repo
    assert isinstance(repo, StoreBase)
    nam = await repo.member_by_phone("0912000002")
    assert nam is not None

    console = await run_text(
        services, nam, f"/ghi TN 1 ma={CONSOLE_CODE} ky=12", Channel.CONSOLE, "console:s:1"
    )
    assert "mã …012" in console.text

    linked = await send(server, contact_update(LAN, "0912000001", LAN["id"]))
    assert "Đã liên kết" in linked.params["text"]
    answer = await send(server, text_update(LAN, f"/ghi TN 1 cccd:{TELEGRAM_CODE} tg lai"))
    assert answer.params["text"].splitlines()[1] == "Chi tiết: mã …567 · tham gia lại."

    # An unexpected failure with the code in the message and in the exception.
    async def broken(*args: Any) -> None:
        raise RuntimeError(f"disk trouble near {CONSOLE_CODE}")

    monkeypatch.setattr(repo, "add_detailed_entry", broken)
    failed = await run_text(services, nam, f"/ghi YT 1 ma={CONSOLE_CODE}", Channel.CONSOLE, None)
    assert failed.text.startswith("Xin lỗi")
    # Telegram's error handler, with the whole update that failed.
    failing = {**text_update(LAN, f"/ghi YT 1 ma={TELEGRAM_CODE}"), "update_id": 999}
    update = Update.de_json(failing, bot.bot)
    await on_error(update, CallbackContext.from_error(update, RuntimeError(TELEGRAM_CODE), bot))

    logs = "\n".join(
        record.getMessage() + "\n" + (record.exc_text or "") for record in caplog.records
    )
    assert "command failed" in logs and "update failed" in logs
    assert "Processing update" in logs  # python-telegram-bot's own DEBUG log, redacted
    for code in (CONSOLE_CODE, TELEGRAM_CODE):
        assert code not in logs
        assert code not in caplog.text
    assert "*******012" in logs and "*********567" in logs

    if is_postgres(database_url(tmp_path)):
        stored = dump(tmp_path).encode()
    else:
        stored = raw_bytes(tmp_path)
        assert (tmp_path / "quota.db-wal").exists()
    for code, last3 in ((CONSOLE_CODE, b"012"), (TELEGRAM_CODE, b"567")):
        assert code.encode() not in stored
        assert participant_hash(code, SECRET).encode() in stored
        assert last3 in stored
    keys = await repo._all("SELECT source_key FROM entries ORDER BY id")
    assert keys[0] == ("console:s:1",) and str(keys[1][0]).startswith(f"tg:{LAN['id']}:")


def test_an_sms_with_a_code_through_a_real_bot_py(tmp_path: Path) -> None:
    """Kannel's get-url carries the text in its query string: uvicorn must not log it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_", "HTTP_"))}
    port = free_port()
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quota.db'}",
        "HTTP_PORT": str(port),
        "SMS_INBOUND_SECRET": "sms-secret",
        "PARTICIPANT_HASH_SECRET": SECRET,
    }
    (tmp_path / "staff.csv").write_text(
        "unit,name,phone,role\nBHXH tỉnh Thanh Hóa / Phường Hạc Thành,Lan,0912000001,officer\n",
        encoding="utf-8",
    )
    cli = [sys.executable, str(ROOT / "bot.py")]
    staff = subprocess.run([*cli, "import-staff", "staff.csv"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert staff.returncode == 0, staff.stderr
    bot = subprocess.Popen(cli, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            deadline = time.monotonic() + 30  # waiting for startup, not timing it
            while True:
                try:
                    http.get("/healthz")
                    break
                except httpx.TransportError:
                    assert bot.poll() is None, bot.communicate()[1]
                    assert time.monotonic() < deadline, "bot.py did not start listening"
                    time.sleep(0.1)
            params = {"from": "84912000001", "text": f"TN 1 ma {CONSOLE_CODE}", "id": "k1"}
            reply = http.get("/sms/inbound", params={**params, "secret": "sms-secret"})
            assert reply.text.startswith("Da ghi 1 TN"), reply.text
            assert "ma ...012" in reply.text
    finally:
        bot.send_signal(signal.SIGTERM)
        stdout, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
    assert CONSOLE_CODE not in stdout + stderr
    stored = raw_bytes(tmp_path)
    assert CONSOLE_CODE.encode() not in stored
    assert participant_hash(CONSOLE_CODE, SECRET).encode() in stored
