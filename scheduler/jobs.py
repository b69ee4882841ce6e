"""The daemon's jobs: plain module-level functions, each delegating to the module that does the work.

APScheduler (memory job store) calls them with a JobContext; the CLI calls `digest_cycle` directly.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pantau.scheduler import digest, health, outbox
from pantau.scheduler.mail import OutboxTransport, transport_for
from pantau.storage import locks
from pantau.storage import status as status_store

if TYPE_CHECKING:
    from pantau.base.settings import Settings
    from pantau.storage.db import Database

log = logging.getLogger(__name__)
DIGEST_LOCK = "pantau:digests"


def utc_now() -> datetime:
    """The daemon's clock (tests freeze it with time-machine)."""
    return datetime.now(UTC)


@dataclass
class JobContext:
    """What every job needs: settings, the archive, the stop signal and the clock."""

    settings: Settings
    db: Database
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], datetime] = utc_now
    instance: str = ""
    started_at: datetime = field(default_factory=utc_now)

    def __post_init__(self) -> None:
        if not self.instance:
            self.instance = f"{socket.gethostname()}:{os.getpid()}:{self.started_at:%Y%m%dT%H%M%S}"


@dataclass(frozen=True)
class CycleReport:
    """What one digest cycle did."""

    built: list[digest.Built]
    sent: outbox.SendReport


def crawl_job(ctx: JobContext, site: str) -> None:
    """Crawl one site in a subprocess (its lock `crawl:<site>` is taken by the child), then check health."""
    if ctx.stop.is_set():
        return
    from pantau.crawler.runner import mark_abandoned, run_crawl  # late: keeps `pantau --help` fast

    mark_abandoned(ctx.db)  # runs left by crawls that died since (with a `pantau crawl`, say)
    run_crawl(ctx.settings, site, database_url=ctx.db.url, stop=ctx.stop)
    with ctx.db.connection() as conn:
        now = ctx.clock()
        health.record(conn, health.assess(conn, ctx.settings, site, now), now)


def digest_job(ctx: JobContext) -> None:
    """Build the due digests and send the due deliveries, unless another process is doing it."""
    if ctx.stop.is_set():
        return
    report = digest_cycle(ctx.db, ctx.settings, ctx.clock, stop=ctx.stop)
    if report is None:
        log.info("another pantau process is building or sending digests; this run is skipped")


def heartbeat_job(ctx: JobContext) -> None:
    """Record that this daemon is alive (read by `pantau status --check`)."""
    with ctx.db.connection() as conn:
        status_store.beat(conn, ctx.instance, socket.gethostname(), os.getpid(), ctx.started_at, ctx.clock())


def digest_cycle(
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    *,
    stop: threading.Event | None = None,
    only: str | None = None,
) -> CycleReport | None:
    """Under the digest lock (held on a dedicated connection): build due digests, then send.

    None when another process holds the lock.
    """
    subscriptions = [s for s in digest.load_subscriptions(settings) if only is None or s.name == only]
    transport = transport_for(_smtp_url(settings), settings.outbox_dir, settings.mail.timeout)
    with db.dedicated("digests") as lock_conn, locks.attempt(lock_conn, DIGEST_LOCK) as taken:
        if not taken:
            return None
        if isinstance(transport, OutboxTransport):
            transport.remove_orphans()  # safe only here: every outbox write happens under this lock
        with db.connection() as conn:
            now = clock()
            digest.sync(conn, subscriptions, now)
            footer = health.footer_lines(health.assess_all(conn, settings, now))
            built = digest.build_due(conn, settings, subscriptions, now, health=footer)
        sent = outbox.send_due(db, settings, transport, clock, stop=stop, subscription=only)
    return CycleReport(built, sent)


def _smtp_url(settings: Settings) -> str | None:
    return settings.smtp_url.get_secret_value() if settings.smtp_url else None
