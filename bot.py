"""BHXH quota tracker: entry point and operator CLI.

python bot.py                         run everything configured
python bot.py demo                    fill a demo organisation, chat as a demo officer
python bot.py console --phone 09...   chat in the terminal as that member
python bot.py import-staff FILE.csv   python bot.py import-quotas FILE.csv
python bot.py backup FILE            python bot.py restore FILE [--force]
python bot.py copy-db --to postgresql://...   the SQLite database into an empty PostgreSQL one
python bot.py import-collections FILE.csv [--by PHONE]   confirm entries paid for
python bot.py import-participant-counts FILE.csv   units' counts (unit,program,as_of,count)
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
from admin.copy_db import CopyRefused, copy_database
from admin.demo import DEMO_OFFICER_PHONE, demo_leads_hint, fill_demo
from admin.imports import ImportFailed, import_quotas_file, import_staff_file
from admin.participant_counts import import_counts_file
from channels.console import open_console
from commands.context import Services
from locales import Translator
from settings import BadSetting, SettingError, Settings
from storage.backends import is_postgres, open_repository, shown, sqlite_file
from storage.postgres import CollationRefused
from storage.sqlite import BackupBroken, DatabaseInUse, restore
from tracker.count_imports import COUNT_COLUMNS
from tracker.imports import QUOTA_COLUMNS, STAFF_COLUMNS
from tracker.reconcile import COLLECTION_COLUMNS

logger = logging.getLogger("bot")


def system_clock() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def open_services(
    config: Config, clock: Callable[[], datetime] = system_clock
) -> AsyncIterator[Services]:
    """The database opened and migrated, with the checked config; closed on the way out."""
    repo = await open_repository(config.settings.database_url)
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
            print(Translator()("demo.filled", path=shown(config.settings.database_url)))
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
            elif kind == "counts":
                codes, grace = services.rules.program_codes, services.rules.grace_days
                now = services.clock()
                print(await import_counts_file(services.repo, path, codes, now, grace, t))
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


async def copy_db(config: Config, target_url: str) -> int:
    """The configured SQLite database into an empty PostgreSQL one, checked both sides."""
    t = Translator()
    if is_postgres(config.settings.database_url):
        print(t("copy.source_not_sqlite"), file=sys.stderr)
        return 2
    if not is_postgres(target_url):
        print(t("copy.target_not_postgres", url=shown(target_url)), file=sys.stderr)
        return 2
    try:
        report = await copy_database(sqlite_file(config.settings.database_url), target_url)
    except CopyRefused as refused:
        print(t(refused.key, **refused.details), file=sys.stderr)
        return 1
    except CollationRefused as refused:
        print(t("copy.collation", problem=str(refused)), file=sys.stderr)
        return 1
    rows = sum(report.rows.values())
    print(t("copy.done", rows=rows, totals=report.unit_totals, url=shown(target_url)))
    return 0


async def backup(config: Config, target: Path) -> int:
    t = Translator()
    async with open_services(config) as services:
        try:
            await services.repo.backup(target)
        except BackupBroken as broken:
            print(t("operator.backup_broken", problem=str(broken)), file=sys.stderr)
            return 1
    print(t("backup.done", path=str(target)))
    return 0


def restore_backup(config: Config, source: Path, replace: bool) -> int:
    """`restore FILE [--force]`: the backup FILE becomes the database, never under a
    running bot, never over an existing database without --force."""
    t = Translator()
    if is_postgres(config.settings.database_url):
        print(t("operator.restore_postgres"), file=sys.stderr)
        return 2
    target = sqlite_file(config.settings.database_url)
    try:
        restore(source, target, replace=replace)
    except DatabaseInUse:
        print(t("operator.restore_running", path=str(target)), file=sys.stderr)
        return 2
    except FileExistsError:
        print(t("operator.restore_exists", path=str(target)), file=sys.stderr)
        return 2
    except BackupBroken as broken:
        print(t("operator.backup_broken", problem=str(broken)), file=sys.stderr)
        return 2
    print(t("operator.restored", source=str(source), path=str(target)))
    return 0


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    t = Translator()
    parser = argparse.ArgumentParser(
        prog="bot.py",
        description=t("cli.description"),
        epilog=t("cli.epilog"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title=t("cli.commands"))
    commands.add_parser("run", help=t("cli.run"))
    demo_parser = commands.add_parser("demo", help=t("cli.demo"))
    demo_parser.add_argument("--out", type=Path, default=Path("out"))
    console_parser = commands.add_parser("console", help=t("cli.console"))
    console_parser.add_argument("--phone", required=True)
    console_parser.add_argument("--out", type=Path, default=Path("out"))
    csv_help = {
        "import-staff": t("cli.import_staff", columns=",".join(STAFF_COLUMNS)),
        "import-quotas": t("cli.import_quotas", columns=",".join(QUOTA_COLUMNS)),
        "import-participant-counts": t("cli.import_counts", columns=",".join(COUNT_COLUMNS)),
    }
    for name, text in csv_help.items():
        commands.add_parser(name, help=text, description=text).add_argument("file", type=Path)
    collections_help = t("cli.import_collections", columns=",".join(COLLECTION_COLUMNS))
    collections = commands.add_parser(
        "import-collections", help=collections_help, description=collections_help
    )
    copy = commands.add_parser("copy-db", help=t("cli.copy_db"))
    copy.add_argument("--to", required=True, help="postgresql://user:password@host:5432/db")
    collections.add_argument("file", type=Path)
    collections.add_argument("--by", help=t("cli.by"))
    commands.add_parser("backup", help=t("cli.backup")).add_argument("file", type=Path)
    restore_parser = commands.add_parser("restore", help=t("cli.restore"))
    restore_parser.add_argument("file", type=Path)
    restore_parser.add_argument("--force", action="store_true", help=t("cli.force"))
    return parser.parse_args(argv)


READS_A_FILE = (
    "import-staff",
    "import-quotas",
    "import-participant-counts",
    "import-collections",
    "restore",
)


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
    if command in READS_A_FILE and not arguments.file.is_file():
        print(t("operator.no_file", path=str(arguments.file)), file=sys.stderr)
        return 2
    if command == "backup" and arguments.file.exists():
        print(t("operator.backup_exists", path=str(arguments.file)), file=sys.stderr)
        return 2
    if command == "restore":
        return restore_backup(config, arguments.file, arguments.force)
    jobs = {
        "run": lambda: run(config),
        "demo": lambda: demo(config, arguments.out),
        "console": lambda: console(config, arguments.phone, arguments.out),
        "import-staff": lambda: import_file(config, "staff", arguments.file),
        "import-quotas": lambda: import_file(config, "quotas", arguments.file),
        "import-participant-counts": lambda: import_file(config, "counts", arguments.file),
        "backup": lambda: backup(config, arguments.file),
        "copy-db": lambda: copy_db(config, arguments.to),
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
