"""The shipped deploy/kannel.conf, read as Kannel reads it: groups of `key = value`."""

from __future__ import annotations

from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent.parent / "deploy" / "kannel.conf"
LOG_KEYS = ("log-level", "access-log-format", "access-log-clean", "access-log-time")


def groups(path: Path = SHIPPED) -> list[tuple[str, dict[str, str]]]:
    """Every group of the file in order, commented-out lines left out."""
    found: list[tuple[str, dict[str, str]]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = (part.strip() for part in line.partition("="))
        value = value.strip('"')
        if key == "group":
            found.append((value, {}))
        elif found:
            found[-1][1][key] = value
    return found


def example_smsc_log_level(path: Path = SHIPPED) -> int:
    """The log-level of the (commented-out) SMSC examples: one level for them all."""
    levels = {
        int(line.partition("=")[2])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.replace(" ", "").startswith("#log-level=")
    }
    if len(levels) != 1:
        raise ValueError(f"{path}: the SMSC examples log at levels {sorted(levels)}")
    return levels.pop()


def shipped_log_options(path: Path = SHIPPED) -> dict[str, dict[str, str | int | bool | None]]:
    """The log settings of the shipped core and smsbox groups, for the test harness:
    levels and formats as shipped; an access-log the file does not name is not written
    (where the harness writes the files is its own affair)."""
    options: dict[str, dict[str, str | int | bool | None]] = {}
    for name, settings in groups(path):
        if name not in ("core", "smsbox"):
            continue
        chosen: dict[str, str | int | bool | None] = {
            key: int(settings[key]) if key == "log-level" else settings[key]
            for key in LOG_KEYS
            if key in settings
        }
        if "access-log" not in settings:
            chosen["access-log"] = None
        options[name] = chosen
    options["smsc"] = {"log-level": example_smsc_log_level(path)}
    return options
