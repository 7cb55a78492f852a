"""Who is sending: this process named by host, process id and start time, and whether
such a process is still alive.

A process id alone is reused after a reboot or a long uptime; with the kernel's start
time of the process (Linux `/proc/<pid>/stat`, field 22, in clock ticks since boot) the
pair names one process for good. A name from another host cannot be checked from here
and counts as alive: never calling a live sender's message cut off wins over tidiness
(one SQLite file is one host's anyway).

With more than one host on one PostgreSQL database, each process says it is alive in
the database every few seconds (`bot_processes`): `alive_by_lease` then calls a process
on another host gone once it has not been seen for LEASE.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

LEASE = timedelta(seconds=30)
"""A process on another host not seen for this long is gone (its heartbeat every
HEARTBEAT seconds missed several times over)."""
HEARTBEAT = 5.0


def _start_ticks(pid: int) -> str | None:
    """The process's start time since boot, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


@cache
def this_process() -> str:
    """`host:pid:start` of the running process."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_ticks(os.getpid()) or 0}"


def process_alive(owner: str) -> bool:
    """Is the process named `owner` (from `this_process()`) still running?"""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False  # not a name we wrote: nobody owns it
    host, pid, started = parts
    if host != socket.gethostname():
        return True
    if not Path("/proc/self/stat").exists():
        return True  # no way to tell on this system: assume alive
    return _start_ticks(int(pid)) == started


def alive_by_lease(seen: Mapping[str, datetime], now: datetime) -> Callable[[str], bool]:
    """The liveness rule across hosts: a process on this host by its kernel entry (exact);
    one on another host by its lease in `seen` (owner -> last seen); one never seen
    there counts as alive, as before leases existed."""

    def alive(owner: str) -> bool:
        parts = owner.rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return False
        if parts[0] == socket.gethostname():
            return process_alive(owner)
        last = seen.get(owner)
        return last is None or now - last < LEASE

    return alive
