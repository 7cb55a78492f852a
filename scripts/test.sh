#!/usr/bin/env bash
# The one test command (README and CI): installs what the tests need, lints, type-checks, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
bash scripts/install-kannel.sh
bash scripts/install-postgres.sh
bash scripts/install-chromium.sh
ruff check .
ruff format --check .
mypy
python -m pytest -q
