"""Crawl bookkeeping in the archive: run rows, discovered URLs with retry back-off, HTTP validators.

Every function takes an autocommit connection and runs one unit of work in its own transaction.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from pantau.storage import locks
from pantau.storage.queries import crawls as q

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
# Terminal statuses of a crawl run (the schema's comment lists the same).
TERMINAL = frozenset(
    {"finished", "failed", "timeout", "interrupted", "crashed", "abandoned", "blocked", "skipped"}
)
RETRY_BASE = timedelta(minutes=10)  # about one crawl interval: the next run or the one after retries
RETRY_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 10  # 10 min, 20 min … 6 h apart: about a day of retries, then it stays 'failed' for audit


@dataclass(frozen=True)
class CrawlRun:
    """One row of crawl_runs."""

    id: int
    site: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    reason: str | None
    counts: dict[str, int]
    errors: list[dict[str, str]]
    pid: int | None
    hostname: str | None


@dataclass(frozen=True)
class DiscoveredRow:
    """One row of discovered_urls."""

    canonical_url: str
    site: str
    site_article_id: str
    source: str
    listed_title: str | None
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    first_run_id: int | None
    first_seen_at: datetime
    last_seen_at: datetime


def ping(conn: psycopg.Connection) -> None:
    """Raise psycopg.OperationalError if the connection no longer works."""
    conn.execute(q.PING)


def schema_present(conn: psycopg.Connection) -> bool:
    """Whether the crawl tables exist (a fresh database has none until migrated)."""
    row = conn.execute(q.SCHEMA_PRESENT).fetchone()
    return bool(row and row[0])


def start_run(conn: psycopg.Connection, site: str, kind: str = "crawl") -> int:
    """Insert a crawl_runs row in status 'running' for this process; its id."""
    with conn.transaction():
        row = conn.execute(
            q.START_RUN, {"site": site, "kind": kind, "pid": os.getpid(), "hostname": socket.gethostname()}
        ).fetchone()
    assert row is not None  # INSERT … RETURNING always returns the row
    return int(row[0])


def adopt_run(conn: psycopg.Connection, run_id: int) -> bool:
    """Claim a running row for this process (records its pid); False if it is gone or terminal."""
    with conn.transaction():
        row = conn.execute(
            q.ADOPT_RUN, {"run_id": run_id, "pid": os.getpid(), "hostname": socket.gethostname()}
        ).fetchone()
    return row is not None


def finish_run(
    conn: psycopg.Connection,
    run_id: int,
    status: str,
    reason: str | None = None,
    counts: Mapping[str, int] | None = None,
    errors: Sequence[Mapping[str, str]] = (),
) -> bool:
    """Give a running row its terminal status; False if it already had one (the first verdict wins)."""
    if status not in TERMINAL:
        raise ValueError(f"{status!r} is not a terminal crawl status; use one of {sorted(TERMINAL)}")
    params = {
        "run_id": run_id,
        "status": status,
        "reason": reason,
        "counts": Jsonb(dict(counts or {})),
        "errors": Jsonb([dict(e) for e in errors]),
    }
    with conn.transaction():
        return conn.execute(q.FINISH_RUN, params).fetchone() is not None


def get_run(conn: psycopg.Connection, run_id: int) -> CrawlRun | None:
    """The crawl_runs row `run_id`, or None."""
    with conn.cursor(row_factory=class_row(CrawlRun)) as cur:
        return cur.execute(q.GET_RUN, (run_id,)).fetchone()


def stale_runs(
    conn: psycopg.Connection, older_than: timedelta
) -> list[tuple[int, str, int | None, str | None]]:
    """(id, site, pid, hostname) of rows still 'running' that started more than `older_than` ago."""
    return [(r[0], r[1], r[2], r[3]) for r in conn.execute(q.STALE_RUNS, {"older_than": older_than})]


def relabel_run(conn: psycopg.Connection, run_id: int, status: str, reason: str) -> None:
    """Correct a finished run's status (the parent knows why it interrupted the crawl)."""
    if status not in TERMINAL:
        raise ValueError(f"{status!r} is not a terminal crawl status")
    with conn.transaction():
        conn.execute(q.RELABEL_RUN, {"run_id": run_id, "status": status, "reason": reason})


def abandon_run(conn: psycopg.Connection, run_id: int, reason: str) -> bool:
    """Mark a running row 'abandoned'; False if it had finished meanwhile."""
    with conn.transaction():
        return conn.execute(q.ABANDON_RUN, {"run_id": run_id, "reason": reason}).rowcount == 1


def abandon_stale(conn: psycopg.Connection, older_than: timedelta) -> int:
    """Mark 'abandoned' the stale running rows whose crawl is gone; how many.

    A crawl is gone when nobody holds its site's lock (`crawl:<site>`), or when its process on
    this host is dead. Needs a connection that may take session locks (not a pooled one's lock
    left behind: each attempt is released at once).
    """
    here = socket.gethostname()
    done = 0
    for run_id, site, pid, hostname in stale_runs(conn, older_than):
        with locks.attempt(conn, f"crawl:{site}") as free:
            dead = hostname == here and pid is not None and not _process_alive(pid)
            if (free or dead) and abandon_run(conn, run_id, "its crawl process is gone"):
                log.warning("crawl run %s of %s abandoned: its process is gone", run_id, site)
                done += 1
    return done


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    return True


def record_discovered(conn: psycopg.Connection, rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert discovered URLs (keys: canonical_url, site, site_article_id, source, listed_title, run_id)."""
    params = [dict(r) for r in rows]
    if not params:
        return 0
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(q.RECORD_DISCOVERED, params)
    return len(params)


def mark_failed(
    conn: psycopg.Connection, canonical_url: str, reason: str, *, site: str, run_id: int | None
) -> int:
    """Record a failed attempt with back-off; the attempt count (0 when the URL is already stored)."""
    params = {
        "canonical_url": canonical_url,
        "reason": reason,
        "max_attempts": MAX_ATTEMPTS,
        "base": RETRY_BASE,
        "cap": RETRY_CAP,
        "site": site,
        "run_id": run_id,
    }
    with conn.transaction():
        row = conn.execute(q.MARK_FAILED, params).fetchone()
        if row is not None:
            return int(row[0])
        row = conn.execute(q.INSERT_FAILED, params).fetchone()
    return int(row[0]) if row is not None else 0


def mark_stored(conn: psycopg.Connection, canonical_urls: Sequence[str]) -> None:
    """Mark discovered URLs 'stored' once their article is in the archive."""
    with conn.transaction():
        conn.execute(q.MARK_STORED, (list(canonical_urls),))


def known_urls(conn: psycopg.Connection, canonical_urls: Sequence[str]) -> set[str]:
    """Those of `canonical_urls` whose article is already stored."""
    if not canonical_urls:
        return set()
    return {row[0] for row in conn.execute(q.KNOWN_URLS, (list(canonical_urls),))}


def backing_off(conn: psycopg.Connection, canonical_urls: Sequence[str]) -> set[str]:
    """Those of `canonical_urls` that failed and are not due for another attempt yet (or ever)."""
    if not canonical_urls:
        return set()
    return {row[0] for row in conn.execute(q.BACKING_OFF, (list(canonical_urls),))}


def retry_due(
    conn: psycopg.Connection,
    site: str,
    *,
    run_id: int | None,
    limit: int = 50,
    grace: timedelta = timedelta(0),
    kind: str = "crawl",
) -> list[tuple[str, str, str, str, str | None]]:
    """(canonical_url, site, site_article_id, source, listed_title) of URLs due for another attempt.

    Only URLs first found by a run of `kind`: a backfill's old stories never enter a crawl as new.
    """
    params = {"site": site, "run_id": run_id, "limit": limit, "grace": grace, "kind": kind}
    return [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(q.RETRY_DUE, params)]


def get_discovered(conn: psycopg.Connection, canonical_url: str) -> DiscoveredRow | None:
    """The discovered_urls row of a URL, or None."""
    with conn.cursor(row_factory=class_row(DiscoveredRow)) as cur:
        return cur.execute(q.GET_DISCOVERED, (canonical_url,)).fetchone()


def validators(conn: psycopg.Connection, url: str) -> tuple[str | None, str | None]:
    """(etag, last_modified) saved for a sitemap or feed URL; (None, None) when none."""
    row = conn.execute(q.GET_VALIDATORS, (url,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def save_validators(conn: psycopg.Connection, url: str, etag: str | None, last_modified: str | None) -> None:
    """Remember a response's ETag and Last-Modified for the next conditional request."""
    with conn.transaction():
        conn.execute(q.SAVE_VALIDATORS, (url, etag, last_modified))
