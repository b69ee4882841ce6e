"""Whether a daemon is running, from its heartbeat row: fresh, not stopped, and its process alive.

A daemon beats once a minute; three missed beats mean it is gone or stuck. A daemon killed before
it could record its stop would still look alive until then, so when its heartbeat names this host,
its pid is asked directly (the pid may belong to another PID namespace when the host name is shared,
as containers sometimes do; then the age of the beat still decides).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from pantau.storage import status as store

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
STALE = timedelta(minutes=3)


class DaemonState(StrEnum):
    """What a heartbeat row says about its daemon."""

    NEVER = "never ran"
    STOPPED = "stopped"
    GONE = "gone"  # its process on this host no longer exists: killed before recording its stop
    NOT_RESPONDING = "not responding"
    ALIVE = "alive"


def state_of(beat: store.Heartbeat | None, now: datetime, stale: timedelta = STALE) -> DaemonState:
    """The state of the daemon whose heartbeat this is (None: no daemon ever beat)."""
    if beat is None:
        return DaemonState.NEVER
    if beat.stopped_at is not None:
        return DaemonState.STOPPED
    if beat.hostname == socket.gethostname() and not _pid_exists(beat.pid):
        return DaemonState.GONE
    if now - beat.beat_at > stale:
        return DaemonState.NOT_RESPONDING
    return DaemonState.ALIVE


def warn_if_another(conn: psycopg.Connection, now: datetime, own_instance: str) -> int:
    """Log a warning for every other daemon alive on this archive; return how many there are."""
    others = [
        beat
        for beat in store.running_heartbeats(conn, now - STALE)
        if beat.instance != own_instance and state_of(beat, now) is DaemonState.ALIVE
    ]
    for beat in others:
        log.warning(
            "another daemon is running on this archive: pid %d on %s (heartbeat %.0f s ago); that is "
            "safe (each site's crawl and the digests take a lock, so nothing is crawled or sent twice) "
            "but one does all the work: stop the other",
            beat.pid,
            beat.hostname,
            (now - beat.beat_at).total_seconds(),
        )
    return len(others)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
