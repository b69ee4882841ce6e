"""What `pantau status` prints and what `pantau digest --dry-run` shows (nothing recorded)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import psycopg

from pantau.scheduler import digest, health, liveness, rescoring
from pantau.scheduler.render import local_time, outlet_name
from pantau.scheduler.schedules import next_fire
from pantau.storage import digests as digest_store
from pantau.storage import status as store

if TYPE_CHECKING:
    from pantau.base.settings import Settings
    from pantau.storage.db import Database


# The counts of a site's last run that `pantau status` shows (all of them with --verbose).
SHORT_COUNTS = ("fetched", "stored", "on_topic", "errors", "blocked")


def status_lines(
    conn: psycopg.Connection, settings: Settings, now: datetime, stale: timedelta, *, verbose: bool = False
) -> Iterator[str]:
    """The lines of `pantau status`: daemon, sites (next crawls only while it runs), digests, deliveries."""
    zone = settings.zone
    beat = store.latest_heartbeat(conn)
    running = liveness.state_of(beat, now, stale) in (
        liveness.DaemonState.ALIVE,
        liveness.DaemonState.NOT_RESPONDING,
    )
    yield _daemon_line(beat, now, stale, zone)
    yield "sites:" if running else "sites (no crawl is scheduled while the daemon is not running):"
    for site in health.assess_all(conn, settings, now):
        yield "  " + _site_line(site, zone, verbose=verbose, running=running)
    yield "digests:"
    subscriptions = {s.name: s for s in digest.load_subscriptions(settings)}
    last = {name: (end, state) for name, end, state in store.last_digests(conn)}
    for name, sub in subscriptions.items():
        end, state = last.get(name, (None, "none yet"))
        upcoming = next_fire(sub.schedule, max(end or now, now))
        yield (
            f"  {name}: last period ended {local_time(end, zone) if end else '-'} ({state}); "
            f"next {local_time(upcoming, zone) if upcoming else '-'}"
        )
    yield from rescoring.status_lines(conn, settings)
    counts = store.delivery_counts(conn)
    yield "deliveries: " + ", ".join(
        f"{counts.get(k, 0)} {k}" for k in ("pending", "sending", "sent", "failed")
    )
    for item in store.open_deliveries(conn):
        due = local_time(item.next_attempt_at, zone)
        yield (
            f"  {item.status} #{item.id} {item.subscription} {local_time(item.period_end, zone)} -> "
            f"{item.recipient}: attempt {item.attempts}, next {due}{_err(item.last_error)}"
        )
    for item in store.failed_deliveries(conn):
        yield (
            f"  FAILED #{item.id} {item.subscription} {local_time(item.period_end, zone)} -> "
            f"{item.recipient} after {item.attempts} attempt(s){_err(item.last_error)}"
        )


def _err(error: str | None) -> str:
    return f": {error}" if error else ""


def _daemon_line(beat: store.Heartbeat | None, now: datetime, stale: timedelta, zone: object) -> str:
    state = liveness.state_of(beat, now, stale)
    if beat is None:
        return "daemon: not running, never ran on this database; start it with `pantau run`"
    last = local_time(beat.beat_at, zone)
    if state is liveness.DaemonState.STOPPED:
        return f"daemon: not running, last heartbeat {last} (stopped; pid {beat.pid} on {beat.hostname})"
    if state is liveness.DaemonState.GONE:
        return (
            f"daemon: not running, last heartbeat {last} (pid {beat.pid} on {beat.hostname}, gone "
            "without recording its stop); start it with `pantau run`"
        )
    age = (now - beat.beat_at).total_seconds()
    label = "alive" if state is liveness.DaemonState.ALIVE else "NOT RESPONDING"
    return (
        f"daemon: {label}, pid {beat.pid} on {beat.hostname}, last heartbeat {age:.0f} s ago, "
        f"up since {local_time(beat.started_at, zone)}"
    )


def _site_line(site: health.SiteHealth, zone: object, *, verbose: bool, running: bool) -> str:
    run = site.last_run
    if run is None:
        last = "never crawled"
    else:
        numbers = {k: v for k, v in run.counts.items() if isinstance(v, int | float)}
        shown = sorted(numbers) if verbose else [k for k in SHORT_COUNTS if k in numbers]
        counts = ", ".join(f"{k.replace('_', '-')} {numbers[k]}" for k in shown)
        reason = f": {run.reason}" if run.reason else ""
        last = f"last {local_time(run.started_at, zone)} {run.status}{reason}" + (
            f" ({counts})" if counts else ""
        )
    state = "FLAGGED: " + "; ".join(site.flags) if site.flags else "ok"
    upcoming = local_time(site.next_run, zone) if site.next_run else "-"
    return f"{outlet_name(site.site):8} {last}; " + (f"next {upcoming}; " if running else "") + state


def preview(db: Database, settings: Settings, now: datetime, only: str | None = None) -> list[str]:
    """The text of every digest due now (or, if none is, of the next one so far); all rolled back."""
    subscriptions = [s for s in digest.load_subscriptions(settings) if only is None or s.name == only]
    texts: list[str] = []
    with db.connection() as conn:
        try:
            with conn.transaction():
                digest.sync(conn, subscriptions, now)
                footer = health.footer_lines(health.assess_all(conn, settings, now))
                for sub in subscriptions:
                    texts += _preview_one(conn, settings, sub, now, footer)
                raise psycopg.Rollback()
        except psycopg.Rollback:  # pragma: no cover - psycopg swallows it; kept for clarity
            pass
    return texts


def _preview_one(
    conn: psycopg.Connection, settings: Settings, sub: digest.Subscription, now: datetime, footer: list[str]
) -> list[str]:
    # Planned, never built: building would log "queued" and use up digest ids (a sequence does not
    # roll back). Each due period is planned on its own, so a story updated again in a later due
    # period may show in both previews; the daemon's real build carries it once.
    due = digest.periods(conn, sub, now) if sub.recipients else []
    plans = [digest.plan_one(conn, settings, sub, start, end, health=footer) for start, end in due]
    ready = [plan.content for plan in plans if plan is not None and plan.send]
    heading = f"=== {sub.name}: due now (dry run, nothing sent) ==="
    if not ready:
        start = due[-1][1] if due else _last_end(conn, sub.name)
        one = digest.plan_one(conn, settings, sub, start, now, health=footer) if start < now else None
        if one is None:
            since = local_time(start, sub.schedule.zone)
            return [f"=== {sub.name}: nothing due, and no story for it since {since} ==="]
        ready = [one.content]
        heading = f"=== {sub.name}: nothing due; the next digest so far (dry run) ==="
    return [f"{heading}\nSubject: {c.subject}\n\n{c.text}" for c in ready]


def _last_end(conn: psycopg.Connection, subscription: str) -> datetime:
    """Where the subscription's next period starts."""
    return digest_store.last_period_end(conn, subscription) or digest_store.subscription_created_at(
        conn, subscription
    )
