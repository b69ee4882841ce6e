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
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    fields = _stat_fields(pid)
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None  # field 22 of proc(5)


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether process `pid` runs, and (when `started` is known) is still the one that started then."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    fields = _stat_fields(pid)
    if fields and fields[0] in ("Z", "X"):
        return False  # dead, only not yet reaped by its parent
    if started is None:
        return True
    now = process_start(pid)
    return now is None or now == started  # unreadable: trust the pid rather than abandon a live crawl


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first); [] if unreadable."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return []
    # The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
    return stat.rpartition(")")[2].split()
