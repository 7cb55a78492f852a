"""Fault suite: the database file cannot grow (a full disk).

`python bot.py` runs with a file-size limit (RLIMIT_FSIZE, what a size-limited file
system does to a growing file: no loop mount is possible here) just above what its
database holds. SMS logging goes on until a write is refused: that sender gets a clear
reply, and the file holds exactly the entries that were acknowledged, whole.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import sqlite3
import sys
import time
from pathlib import Path

import httpx

from storage.repository import StaffRow
from storage.sqlite import SQLiteRepository
from tests.conftest import POST_OFFICE
from tests.support.net import free_port
from tracker.models import Role

ROOT = Path(__file__).resolve().parent.parent
SECRET = "full-secret"
AGENT = "0916000001"
FULL = (
    "May chu da het cho luu nen chua ghi duoc gi. Vui long gui lai sau;"
    " nguoi quan tri da duoc bao trong nhat ky."
)


async def test_a_full_disk_gets_a_clear_reply_and_nothing_half_written(tmp_path: Path) -> None:
    path = tmp_path / "quota.db"
    repo = await SQLiteRepository.open(path)
    await repo.import_staff([StaffRow(1, POST_OFFICE, "Đại lý", AGENT, Role.AGENT)])
    await repo.close()
    limit = path.stat().st_size + 64 * 1024  # the write-ahead log fills this after a few dozen

    def limited() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SMS_"))}
    env |= {"DATABASE_URL": f"sqlite:///{path}", "HTTP_PORT": str(port)}
    env["SMS_INBOUND_SECRET"] = SECRET
    bot = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), env=env, cwd=tmp_path, preexec_fn=limited,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    acknowledged: list[str] = []
    refusals: list[str] = []
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30
        ) as http:
            deadline = time.monotonic() + 300  # waiting for start-up, not timing it
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert bot.returncode is None, "bot.py exited during start-up"
                assert time.monotonic() < deadline, "bot.py did not become healthy"
                await asyncio.sleep(0.1)
            for number in range(2000):
                params = {"from": "84" + AGENT[1:], "text": "TN 1", "id": f"f{number}"}
                response = await http.get("/sms/inbound", params={**params, "secret": SECRET})
                assert response.status_code == 200
                if response.text.startswith("Da ghi 1 TN"):
                    acknowledged.append(params["id"])
                else:
                    refusals.append(response.text)
                    if len(refusals) == 3:
                        break
    finally:
        bot.send_signal(signal.SIGTERM)
        _, log = await asyncio.wait_for(bot.communicate(), 60)
    assert len(acknowledged) >= 5
    assert refusals == [FULL] * 3
    assert b"storage full" in log
    with sqlite3.connect(path) as db:  # no limit here: the file opens and recovers
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        keys = db.execute("SELECT source_key FROM entries ORDER BY id").fetchall()
        totals = db.execute("SELECT sum(count) FROM entries").fetchone()
    assert [key for (key,) in keys] == [f"sms:{AGENT}:id:{m}" for m in acknowledged]
    assert totals == (len(acknowledged),)
