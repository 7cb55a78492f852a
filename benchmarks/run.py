"""Benchmarks: one figure a line, `name: value unit`; ratios as `ratio name: value (a / b)`.

python benchmarks/run.py            full sizes (5,000 members, 1M entries)
python benchmarks/run.py --quick    smaller samples; under a minute on 2 cores
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import suite_chat, suite_core, suite_schedule, suite_screens, suite_sms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller samples, under a minute")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bhxh-bench-", dir=Path.cwd()) as folder:
        suite_core.run(Path(folder), quick=arguments.quick)
        suite_sms.run(Path(folder), quick=arguments.quick)
        suite_chat.run(Path(folder), quick=arguments.quick)
        suite_schedule.run(Path(folder), quick=arguments.quick)
        suite_screens.run(Path(folder), quick=arguments.quick)


if __name__ == "__main__":
    main()
