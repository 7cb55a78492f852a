"""The whole bot (`python bot.py`) as a server process, started and stopped like a
deployment: SIGTERM ends it, and it can come back on the same port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.cli import ROOT


class BotProcess:
    def __init__(self, tmp_path: Path, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._tmp_path = tmp_path
        self._process: subprocess.Popen[bytes] | None = None
        self.log = tmp_path / "bot.log"

    def start(self, timeout: float = 30.0) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self._tmp_path / 'quota.db'}",
            "HTTP_PORT": str(self.port),
            "PUBLIC_BASE_URL": self.base_url,
        }
        env.pop("TELEGRAM_BOT_TOKEN", None)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, str(ROOT / "bot.py")],
                cwd=self._tmp_path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"bot.py exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"bot.py did not come up: {self.log.read_text()}")

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        process = self._process
        if process is None:
            return 0
        self._process = None
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
