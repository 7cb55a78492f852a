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
from admin.config import CONFIG_ERRORS, Config, load_config
from admin.demo import DEMO_OFFICER_PHONE, demo_leads_hint, fill_demo
from admin.imports import ImportFailed, import_quotas_file, import_staff_file
from channels.console import open_console
from commands.context import Services
from locales import Translator
from settings import BadSetting, SettingError, Settings
from storage.sqlite import SQLiteRepository

logger = logging.getLogger("bot")


def system_clock() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def open_services(
    config: Config, clock: Callable[[], datetime] = system_clock
) -> AsyncIterator[Services]:
    """The database opened and migrated, with the checked config; closed on the way out."""
    repo = await SQLiteRepository.open(config.settings.sqlite_path)
    repo.use_participant_secret(config.settings.participant_hash_secret)
    try:
        yield Services(
            repo=repo,
            rules=config.rules,
            clock=clock,
            emulation=config.emulation,
            public_base_url=config.settings.screen_base_url,
        )
    finally:
        await repo.close()


async def run(config: Config) -> int:
    """Serve every configured part until interrupted (Ctrl+C or SIGTERM).

    The HTTP front door always runs (SMS from Kannel, /healthz, the Telegram webhook);
    its lifespan opens the database, the SMS sender, the scheduler and each chat channel
    (channels.process), each failing alone.
    """
    from channels.http import serve_http
    from channels.process import process_app

    await serve_http(process_app(config, system_clock), config.settings)
    return 0


async def demo(config: Config, out_dir: Path) -> int:
    async with open_services(config) as services:
        if await fill_demo(services.repo, services.clock()):
            print(Translator()("demo.filled", path=str(config.settings.sqlite_path)))
        print(demo_leads_hint(Translator()))
        return await open_console(services, DEMO_OFFICER_PHONE, out_dir)


async def console(config: Config, phone: str, out_dir: Path) -> int:
    async with open_services(config) as services:
        return await open_console(services, phone, out_dir)


async def import_file(config: Config, kind: str, path: Path) -> int:
    t = Translator()
    async with open_services(config) as services:
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


async def import_collections(config: Config, path: Path, by_phone: str | None) -> int:
    """Reconcile an official collection file: confirm matched entries, print the report."""
    t = Translator()
    async with open_services(config) as services:
        try:
            report = await import_collections_file(
                services.repo,
                path,
                services.rules.program_codes,
                config.settings.participant_hash_secret,
                services.clock(),
                t,
                by_phone,
                services.rules.grace_days,
            )
        except ImportFailed as failure:
            print(failure, file=sys.stderr)
            return 1
    print(report)
    return 0


async def backup(config: Config, target: Path) -> int:
    async with open_services(config) as services:
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
    t = Translator()
    try:
        config = load_config(Settings.load())
    except (SettingError, *CONFIG_ERRORS) as error:
        print(config_problem(t, error), file=sys.stderr)
        return 2
    command = arguments.command or "run"
    jobs = {
        "run": lambda: run(config),
        "demo": lambda: demo(config, arguments.out),
        "console": lambda: console(config, arguments.phone, arguments.out),
        "import-staff": lambda: import_file(config, "staff", arguments.file),
        "import-quotas": lambda: import_file(config, "quotas", arguments.file),
        "backup": lambda: backup(config, arguments.file),
        "import-collections": lambda: import_collections(config, arguments.file, arguments.by),
    }
    try:
        return asyncio.run(jobs[command]())
    except SettingError as error:
        print(config_problem(t, error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def config_problem(t: Translator, error: Exception) -> str:
    """One line saying what to fix in the settings or a config file."""
    if isinstance(error, BadSetting):
        expected = t(f"config.expect.{error.expected}")
        return t("config.bad_setting", name=error.name, value=error.value, expected=expected)
    if isinstance(error, SettingError):
        return t("config.missing_setting", problem=str(error))
    return t("config.bad_file", problem=" ".join(str(error).split()))


if __name__ == "__main__":
    sys.exit(main())
