"""`pantau run`: the long-running daemon (mirrors APScheduler's examples/schedulers/blocking.py).

A BlockingScheduler with the memory job store (jobs are defined here at start-up; every durable
fact lives in our tables), an explicit time zone, coalescing, one instance per job and a generous
misfire grace. SIGTERM or SIGINT stops scheduling, interrupts a running crawl through the stop
event (the runner sends SIGINT, then SIGKILL after its grace), waits for the jobs to return,
records the clean stop, and returns; the session locks go with the connections.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING

import psycopg
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from psycopg_pool import PoolTimeout

from pantau.base.errors import DatabaseUnavailable
from pantau.scheduler import digest, jobs, liveness, rescoring, watchdog
from pantau.scheduler.jobs import JobContext
from pantau.storage import status as status_store

if TYPE_CHECKING:
    from datetime import datetime

    from pantau.base.settings import Settings
    from pantau.storage.db import Database

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 60
MISFIRE_GRACE = 30 * 60  # default 1 s would silently skip a run delayed by a busy moment
STAGGER = timedelta(seconds=15)  # first crawls of the sites start this far apart


def run(settings: Settings, db: Database, ctx: JobContext | None = None) -> None:
    """Start up (abandon dead runs, sync subscriptions, catch up digests), then schedule until stopped."""
    from pantau.crawler.runner import mark_abandoned

    ctx = ctx or JobContext(settings, db)
    subscriptions = digest.load_subscriptions(settings)  # fail fast on a bad subscription
    abandoned = mark_abandoned(db)
    with db.connection() as conn:
        digest.sync(conn, subscriptions, ctx.clock())
    with db.connection() as conn:
        liveness.warn_if_another(conn, ctx.clock(), ctx.instance)  # before our own first beat
    jobs.heartbeat_job(ctx)
    scheduler = _scheduler(settings, ctx)
    previous = {sig: signal.signal(sig, _stopper(ctx, scheduler)) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info(
        "daemon scheduled: %d site(s) every %g min, %d subscription(s), %d abandoned run(s) closed; %s",
        len(settings.crawl.sites),
        settings.crawl.interval_minutes,
        len(subscriptions),
        abandoned,
        _where_mail_goes(settings),
    )
    try:
        scheduler.start()  # blocks until a signal calls shutdown
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        ctx.stop.set()
        executor = scheduler._lookup_executor("default")  # 3.x has no public accessor
        executor.shutdown(wait=True)  # the jobs end within the runner's grace: they watch ctx.stop
        _record_stop(ctx)
        log.info("daemon stopped")


def _record_stop(ctx: JobContext) -> None:
    """Record the clean stop; a dead database only costs the record (the stop itself succeeded)."""
    try:
        with ctx.db.connection() as conn:
            status_store.stopped(conn, ctx.instance, ctx.clock())
    except (psycopg.Error, PoolTimeout, DatabaseUnavailable) as exc:
        log.warning("could not record the daemon's stop (the database is unreachable): %s", exc)


def _scheduler(settings: Settings, ctx: JobContext) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=settings.zone,
        # one thread per site, digests, heartbeat, the embedded watchdog and the background rescore
        executors={"default": ThreadPoolExecutor(max_workers=len(settings.crawl.sites) + 4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    now = ctx.clock()
    with ctx.db.connection() as conn:
        firsts = {
            site: _first_crawl(conn, settings, site, now + STAGGER * i)
            for i, site in enumerate(settings.crawl.sites)
        }
    for site, first in firsts.items():
        trigger = IntervalTrigger(
            minutes=settings.crawl.interval_minutes,
            jitter=settings.crawl.jitter_seconds,
            timezone=settings.zone,
        )
        scheduler.add_job(
            jobs.crawl_job,
            trigger,
            args=[ctx, site],
            id=f"crawl:{site}",
            name=f"crawl {site}",
            next_run_time=first,
        )
    scheduler.add_job(
        jobs.digest_job,
        "interval",
        seconds=settings.mail.check_seconds,
        args=[ctx],
        id="digests",
        name="digests",
        next_run_time=now,
    )  # now: catch up at start
    scheduler.add_job(
        jobs.heartbeat_job,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=[ctx],
        id="heartbeat",
        name="heartbeat",
    )
    if ctx.db.embedded is not None:
        scheduler.add_job(
            watchdog.embedded_job,
            "interval",
            seconds=watchdog.CHECK_SECONDS,
            args=[ctx, watchdog.Revival()],
            id="embedded",
            name="embedded PostgreSQL watchdog",
        )
    rescoring.schedule(scheduler, ctx)
    scheduler.add_listener(_on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    return scheduler


def _first_crawl(conn: object, settings: Settings, site: str, earliest: datetime) -> datetime:
    """A site's first crawl: one interval after its last run started, or `earliest` if that is past."""
    runs = status_store.recent_runs(conn, site, limit=1)  # type: ignore[arg-type]
    if not runs:
        return earliest
    return max(earliest, runs[0].started_at + timedelta(minutes=settings.crawl.interval_minutes))


def _stopper(ctx: JobContext, scheduler: BlockingScheduler) -> signal.Handlers:
    def stop(signum: int, _frame: FrameType | None) -> None:
        if ctx.stop.is_set():
            log.info("%s: already stopping", signal.Signals(signum).name)
            return
        log.info("%s received: stopping (a running crawl is interrupted)", signal.Signals(signum).name)
        ctx.stop.set()
        # Not in the handler: it may interrupt the main thread inside the executor's submit, which
        # holds a (non-reentrant) lock that shutdown takes too: the daemon then hung on SIGTERM.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}, name="shutdown").start()

    return stop  # type: ignore[return-value]


def _on_event(event: JobEvent) -> None:
    """APScheduler's job events as our own log lines."""
    if event.code == EVENT_JOB_MISSED:
        log.warning(
            "job %s missed its run time %s (the daemon was busy or asleep)",
            event.job_id,
            event.scheduled_run_time,
        )
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning(
            "job %s skipped: its previous run is still going (slower than its interval)", event.job_id
        )
    elif event.code == EVENT_JOB_ERROR:
        exc = getattr(event, "exception", None)
        log.error(
            "job %s failed: %s: %s",
            event.job_id,
            type(exc).__name__,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__) if exc else None,
        )


def _where_mail_goes(settings: Settings) -> str:
    if settings.smtp_url:
        return "digests go to the SMTP server of PANTAU_SMTP_URL"
    return f"no PANTAU_SMTP_URL: digests are written as .eml files into {settings.outbox_dir}"
