"""BHXH quota tracker: entry point and operator CLI.

python bot.py                         run everything configured
python bot.py demo                    fill a demo organisation, chat as a demo officer
python bot.py console --phone 09...   chat in the terminal as that member
python bot.py import-staff FILE.csv   python bot.py import-quotas FILE.csv
python bot.py backup FILE
python bot.py import-collections FILE.csv [--by PHONE]   confirm entries paid for
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from admin.collections import import_collections_file
from admin.demo import DEMO_OFFICER_PHONE, fill_demo
from admin.imports import ImportFailed, import_quotas_file, import_staff_file
from channels.console import open_console
from commands.context import Services
from leaderboards.emulation import EmulationConfigError, load_emulation_rules
from locales import Translator
from settings import MissingSetting, Settings
from storage.sqlite import SQLiteRepository
from tracker.rules import DEFAULT_RULES_FILE, RulesError, load_rules

logger = logging.getLogger("bot")


def system_clock() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def open_services(
    settings: Settings, clock: Callable[[], datetime] = system_clock
) -> AsyncIterator[Services]:
    """Rules checked, database opened and migrated; closed again on the way out."""
    rules = load_rules(Path(settings.rules_file) if settings.rules_file else DEFAULT_RULES_FILE)
    emulation = load_emulation_rules(programs=rules.programs)
    repo = await SQLiteRepository.open(settings.sqlite_path)
    repo.use_participant_secret(settings.participant_hash_secret)
    try:
        yield Services(repo=repo, rules=rules, clock=clock, emulation=emulation)
    finally:
        await repo.close()


async def run(settings: Settings) -> int:
    """Serve every configured channel until interrupted (Ctrl+C or SIGTERM).

    The HTTP front door always runs (SMS from Kannel, /healthz, the Telegram and Zalo
    webhooks, /media links); its lifespan starts Telegram and Zalo, each by long polling
    or webhook, when their token is set.
    """
    from channels.http import HealthCheck, build_http_app, serve_http
    from channels.sms_sender import open_sms_sender
    from channels.telegram import build_application
    from channels.zalo_wiring import open_zalo
    from scheduling.service import run_schedules

    async with (
        open_services(settings) as services,
        open_sms_sender(settings, services.repo, services.clock) as sms_sender,
    ):
        telegram = build_application(services, settings) if settings.telegram_bot_token else None
        if telegram is None:
            logger.warning("TELEGRAM_BOT_TOKEN is not set: Telegram is off")
        bot = telegram.bot if telegram else None
        async with (
            open_zalo(settings, services, telegram, sms_sender) as (zalo, media),
            run_schedules(services, settings, bot, sms_sender) as runner,
        ):
            app = build_http_app(
                services,
                settings,
                telegram,
                sms_sender=sms_sender,
                health_checks=[HealthCheck("scheduler", runner.scheduled)],
                zalo=zalo,
                media=media,
            )
            await serve_http(app, settings)
    return 0


async def demo(settings: Settings, out_dir: Path) -> int:
    async with open_services(settings) as services:
        if await fill_demo(services.repo, services.clock()):
            print(Translator()("demo.filled", path=str(settings.sqlite_path)))
        return await open_console(services, DEMO_OFFICER_PHONE, out_dir)


async def console(settings: Settings, phone: str, out_dir: Path) -> int:
    async with open_services(settings) as services:
        return await open_console(services, phone, out_dir)


async def import_file(settings: Settings, kind: str, path: Path) -> int:
    t = Translator()
    async with open_services(settings) as services:
        try:
            if kind == "staff":
                print(await import_staff_file(services.repo, path, t))
            else:
                codes = services.rules.program_codes
                print(await import_quotas_file(services.repo, path, codes, services.clock(), t))
        except ImportFailed as failure:
            print(failure, file=sys.stderr)
            return 1
    return 0


async def import_collections(settings: Settings, path: Path, by_phone: str | None) -> int:
    """Reconcile an official collection file: confirm matched entries, print the report."""
    t = Translator()
    async with open_services(settings) as services:
        try:
            report = await import_collections_file(
                services.repo,
                path,
                services.rules.program_codes,
                settings.participant_hash_secret,
                services.clock(),
                t,
                by_phone,
            )
        except ImportFailed as failure:
            print(failure, file=sys.stderr)
            return 1
    print(report)
    return 0


async def backup(settings: Settings, target: Path) -> int:
    async with open_services(settings) as services:
        await services.repo.backup(target)
    print(Translator()("backup.done", path=str(target)))
    return 0


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run everything configured (the default)")
    demo_parser = commands.add_parser("demo", help="demo organisation and a console chat")
    demo_parser.add_argument("--out", type=Path, default=Path("out"))
    console_parser = commands.add_parser("console", help="chat in the terminal as a member")
    console_parser.add_argument("--phone", required=True)
    console_parser.add_argument("--out", type=Path, default=Path("out"))
    for name in ("import-staff", "import-quotas", "backup"):
        commands.add_parser(name).add_argument("file", type=Path)
    collections = commands.add_parser("import-collections", help="reconcile collection records")
    collections.add_argument("file", type=Path)
    collections.add_argument("--by", help="the lead or admin it is audited as (phone)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = Settings.load()
    command = arguments.command or "run"
    jobs = {
        "run": lambda: run(settings),
        "demo": lambda: demo(settings, arguments.out),
        "console": lambda: console(settings, arguments.phone, arguments.out),
        "import-staff": lambda: import_file(settings, "staff", arguments.file),
        "import-quotas": lambda: import_file(settings, "quotas", arguments.file),
        "backup": lambda: backup(settings, arguments.file),
        "import-collections": lambda: import_collections(settings, arguments.file, arguments.by),
    }
    try:
        return asyncio.run(jobs[command]())
    except (MissingSetting, RulesError, EmulationConfigError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
