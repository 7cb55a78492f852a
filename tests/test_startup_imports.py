"""What `python bot.py` loads at start, and that what it leaves for later still works.

matplotlib, numpy and Pillow (charts, about 45 MB resident) and openpyxl (workbooks)
are imported where a picture or a workbook is made, not when the bot starts (issue 15:
a national bot process under 200 MB). Each check runs in a fresh interpreter, since
this test process has long loaded them all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib

from channels.tv.routes import STATIC_FILES, matplotlib_fonts

ROOT = Path(__file__).resolve().parent.parent
LATER = ("matplotlib", "numpy", "PIL", "openpyxl")

FIRST_USE = """
import asyncio, json, sys
from datetime import UTC, datetime

import bot, channels.process  # what `python bot.py` imports before serving

loaded = lambda: sorted(m for m in LATER if m in sys.modules)
report = {"at_start": loaded()}

from admin.demo import DEMO_OFFICER_PHONE, demo_leads, fill_demo
from commands.context import Services
from storage.backends import open_repository
from tests.support.members import say
from tracker.rules import load_rules

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

async def main():
    repo = await open_repository("sqlite:///" + sys.argv[1])
    try:
        await fill_demo(repo, NOW)
        services = Services(repo=repo, rules=load_rules(), clock=lambda: NOW)
        report["before_use"] = loaded()
        chart = await say(services, DEMO_OFFICER_PHONE, "/bieudo")
        report["chart"] = [a.content[:8].hex() for a in chart.attachments]
        export = await say(services, demo_leads()[0].phone, "/xuat")
        files = export.attachments
        report["export"] = {a.filename.rsplit(".")[-1]: a.content[:4].hex() for a in files}
    finally:
        await repo.close()
    report["after_use"] = loaded()

asyncio.run(main())
print(json.dumps(report))
"""


def test_the_bot_starts_without_the_chart_and_workbook_libraries(tmp_path: Path) -> None:
    """A fresh process imports the bot: none of them; a member's first /bieudo then draws
    both pictures and a lead's first /xuat writes the workbook, loading them there."""
    script = f"LATER = {LATER!r}\n{FIRST_USE}"
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "demo.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    png, xlsx = "89504e470d0a1a0a", "504b0304"  # PNG signature; a zip (an .xlsx) starts PK
    assert report["at_start"] == []
    assert report["before_use"] == []
    assert report["chart"] == [png, png]
    assert report["export"]["xlsx"] == xlsx
    assert report["after_use"] == sorted(LATER)


def test_the_office_tv_finds_matplotlib_fonts_without_importing_it() -> None:
    """The path the TV serves DejaVu Sans from is matplotlib's own data path."""
    assert matplotlib_fonts() == Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    assert STATIC_FILES["DejaVuSans.ttf"].is_file()
    assert STATIC_FILES["DejaVuSans-Bold.ttf"].is_file()
