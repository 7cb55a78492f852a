"""Layers point down: commands never import the scheduler or a channel (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "commands").glob("*.py")), ids=lambda p: p.name)
def test_commands_never_import_the_scheduler_or_a_channel(path: Path) -> None:
    upward = {
        module
        for module in imported_modules(path)
        if module.split(".")[0] in {"scheduling", "channels", "telegram", "bot"}
    }
    assert upward == set(), f"{path.name} imports {upward}"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from scheduling.runner import active_runner\nimport channels.sms\n")
    assert imported_modules(bad) == {"scheduling.runner", "channels.sms"}
