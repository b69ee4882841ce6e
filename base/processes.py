"""Which process a pid is: a pid alone is reused, a pid with its start time names one process.

Linux only (`/proc`); elsewhere every identity is unknown and callers fall back to the pid.
"""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")


def process_start(pid: int) -> str | None:
    """`<boot id>:<start time in clock ticks>` of a running process; None if gone or unknown."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    fields = stat.rpartition(")")[2].split()
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None  # field 22 of proc(5)


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether process `pid` runs, and (when `started` is known) is still the one that started then."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    if started is None:
        return True
    now = process_start(pid)
    return now is None or now == started  # unreadable: trust the pid rather than abandon a live crawl
