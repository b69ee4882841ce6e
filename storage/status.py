"""The daemon's own state in the archive: heartbeats, crawl-run history, freshness, outbox summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from psycopg.rows import class_row

from pantau.storage.queries import status as q

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Heartbeat:
    """The latest sign of life of a daemon process."""

    instance: str
    hostname: str
    pid: int
    started_at: datetime
    beat_at: datetime
    stopped_at: datetime | None


@dataclass(frozen=True)
class Run:
    """One crawl run of a site, as recorded by the crawl runner."""

    id: int
    site: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    reason: str | None
    counts: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)  # [{url, error}] samples


@dataclass(frozen=True)
class Freshness:
    """The site's newest crawled story and its usual gap between batches of new stories."""

    last_article: datetime | None
    usual_gap: float | None  # seconds
    gaps: int


@dataclass(frozen=True)
class OpenDelivery:
    """A delivery not yet sent or failed (or a failed one, with its error)."""

    id: int
    subscription: str
    period_end: datetime
    recipient: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None = None
    status: str = "failed"


def beat(
    conn: psycopg.Connection, instance: str, hostname: str, pid: int, started_at: datetime, now: datetime
) -> None:
    """Record that the daemon `instance` is alive at `now`."""
    params = {"instance": instance, "hostname": hostname, "pid": pid, "started_at": started_at, "now": now}
    conn.execute(q.BEAT, params)


def stopped(conn: psycopg.Connection, instance: str, now: datetime) -> None:
    """Record a clean shutdown of the daemon `instance`."""
    conn.execute(q.STOPPED, {"instance": instance, "now": now})


def latest_heartbeat(conn: psycopg.Connection) -> Heartbeat | None:
    """The running daemon's heartbeat (or the last stopped one's)."""
    with conn.cursor(row_factory=class_row(Heartbeat)) as cur:
        return cur.execute(q.LATEST_BEAT).fetchone()


def running_heartbeats(conn: psycopg.Connection, since: datetime) -> list[Heartbeat]:
    """The heartbeats of daemons not recorded as stopped that beat after `since`, newest first."""
    with conn.cursor(row_factory=class_row(Heartbeat)) as cur:
        return cur.execute(q.RUNNING_BEATS, {"since": since}).fetchall()


def recent_runs(conn: psycopg.Connection, site: str, limit: int) -> list[Run]:
    """The site's latest crawl runs, newest first."""
    with conn.cursor(row_factory=class_row(Run)) as cur:
        return cur.execute(q.RECENT_RUNS, {"site": site, "limit": limit}).fetchall()


def freshness(conn: psycopg.Connection, site: str, now: datetime, history: timedelta) -> Freshness:
    """How recent the site's newest story is, and how long it usually goes without one."""
    with conn.cursor(row_factory=class_row(Freshness)) as cur:
        row = cur.execute(q.FRESHNESS, {"site": site, "now": now, "since": now - history}).fetchone()
    return row or Freshness(None, None, 0)


def site_flag(conn: psycopg.Connection, site: str) -> tuple[bool, list[str]] | None:
    """The site's recorded health flag and reasons, or None if never evaluated."""
    row = conn.execute(q.SITE_HEALTH, (site,)).fetchone()
    return (bool(row[0]), list(row[1])) if row else None


def set_site_flag(
    conn: psycopg.Connection, site: str, flagged: bool, reasons: list[str], now: datetime
) -> None:
    """Record the site's health flag (changed_at moves only when the flag flips)."""
    params = {"site": site, "flagged": flagged, "reasons": json.dumps(reasons), "now": now}
    conn.execute(q.SET_SITE_HEALTH, params)


def delivery_counts(conn: psycopg.Connection) -> dict[str, int]:
    """How many deliveries are in each status."""
    return {str(row[0]): int(row[1]) for row in conn.execute(q.DELIVERY_COUNTS)}


def failed_deliveries(conn: psycopg.Connection, limit: int = 20) -> list[OpenDelivery]:
    """The latest failed deliveries with their errors."""
    with conn.cursor(row_factory=class_row(OpenDelivery)) as cur:
        return cur.execute(q.FAILED_DELIVERIES, {"limit": limit}).fetchall()


def open_deliveries(conn: psycopg.Connection, limit: int = 20) -> list[OpenDelivery]:
    """Deliveries waiting to be sent (pending) or being sent now."""
    with conn.cursor(row_factory=class_row(OpenDelivery)) as cur:
        return cur.execute(q.OPEN_DELIVERIES, {"limit": limit}).fetchall()


def last_digests(conn: psycopg.Connection) -> list[tuple[str, datetime, str]]:
    """Per subscription: the end of its latest digest period and that digest's status."""
    return [(row[0], row[1], row[2]) for row in conn.execute(q.LAST_DIGESTS)]
