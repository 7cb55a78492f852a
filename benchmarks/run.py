"""Benchmarks: one figure a line, `name: value unit`; ratios as `ratio name: value (a / b)`.

python benchmarks/run.py            full sizes (5,000 members, 1M entries; the national
                                    run on PostgreSQL: 60,000 members, 10M entries)
python benchmarks/run.py --quick    smaller samples; under a minute on 2 cores
python benchmarks/run.py --only national   one suite (core, sms, chat, schedule, screens,
                                    national)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (
    suite_chat,
    suite_core,
    suite_national,
    suite_schedule,
    suite_screens,
    suite_sms,
)

SUITES = {
    "core": suite_core.run,
    "sms": suite_sms.run,
    "chat": suite_chat.run,
    "schedule": suite_schedule.run,
    "screens": suite_screens.run,
    "national": suite_national.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller samples, under a minute")
    parser.add_argument("--only", choices=sorted(SUITES), help="run this suite alone")
    arguments = parser.parse_args()
    chosen = [arguments.only] if arguments.only else list(SUITES)
    with tempfile.TemporaryDirectory(prefix="bhxh-bench-", dir=Path.cwd()) as folder:
        for name in chosen:
            SUITES[name](Path(folder), quick=arguments.quick)


if __name__ == "__main__":
    main()
