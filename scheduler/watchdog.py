"""Bringing a dead embedded PostgreSQL back: pantau started it, so pantau restarts it.

A job checks the postmaster every few seconds (a file read and a signal 0, no query). When it is
gone (killed, OOM) the job starts it again through pgserver, backing off 5 s, 10 s ... 5 min while
it cannot start yet; once it is back, the crawl run its death left open is closed at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pantau.base.errors import DatabaseUnavailable
from pantau.scheduler.jobs import JobContext

log = logging.getLogger(__name__)
CHECK_SECONDS = 5
BACKOFF_FIRST = 5.0
BACKOFF_MAX = 300.0


@dataclass
class Revival:
    """The watchdog's state across checks: failed restarts in a row, and when to try again."""

    failures: int = 0
    next_try: float = 0.0  # time.monotonic()


def embedded_job(ctx: JobContext, revival: Revival) -> None:
    """Restart the embedded server if its postmaster died; then close the runs that died with it."""
    embedded = ctx.db.embedded
    if embedded is None or ctx.stop.is_set() or embedded.running():
        revival.failures = 0
        return
    if time.monotonic() < revival.next_try:
        return
    log.error("the embedded PostgreSQL in %s is not running (killed?); restarting it", embedded.pgdata_dir)
    try:
        url = embedded.restart()
    except DatabaseUnavailable as exc:
        revival.failures += 1
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (revival.failures - 1))
        revival.next_try = time.monotonic() + delay
        log.error("%s (attempt %d; next in %g s)", exc, revival.failures, delay)
        return
    if url != ctx.db.url:  # the pool keeps its URL; pgserver's socket dir is fixed by the data dir
        log.error("the embedded PostgreSQL came back at %s, not %s; restart pantau", url, ctx.db.url)
    revival.failures = 0
    log.warning("the embedded PostgreSQL in %s is running again", embedded.pgdata_dir)
    from pantau.crawler.runner import mark_abandoned  # late, as in crawl_job

    mark_abandoned(ctx.db)
