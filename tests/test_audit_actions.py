"""Every action storage writes to the audit log has a name in both catalogues: /nhatky
reads the name from `leads.action.<action>`, and a missing one was an exception for the
lead (found by the nightly fuzz: `/nhatky` after a `/malienket`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from locales import catalogue

STORAGE = Path(__file__).resolve().parent.parent / "storage"


def written_actions() -> set[str]:
    """The `action` argument (the fifth) of every `write_audit(...)` call in storage: a
    literal, or a name whose assignments in that module hold the literals."""
    actions = set()
    for path in STORAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "write_audit"):
                continue
            action = node.args[4] if len(node.args) > 4 else None
            if isinstance(action, ast.Name):
                actions |= literals_assigned(tree, action.id)
            else:
                assert isinstance(action, ast.Constant), f"{path.name}: action is {action}"
                actions.add(action.value)
    return actions


def literals_assigned(tree: ast.Module, name: str) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            found |= {
                leaf.value
                for leaf in ast.walk(node.value)
                if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)
            }
    assert found, f"no literal assigned to {name}"
    return found


def test_storage_writes_the_actions_we_know_of() -> None:
    assert {
        "quota",
        "entry.confirm",
        "entry.reject",
        "zalo.link_code",
        "tv.create",
    } <= written_actions()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_written_action_has_a_name(language: str) -> None:
    messages = catalogue(language)
    missing = sorted(a for a in written_actions() if f"leads.action.{a}" not in messages)
    assert missing == []
