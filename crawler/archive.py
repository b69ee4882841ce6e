"""The archive as one crawl process sees it: what is known, what was discovered, what failed.

One `CrawlArchive` per crawl process, on ONE dedicated autocommit connection (it also holds the
site's session advisory lock, so the lock lives exactly as long as the process). Each method is
one transaction. A connection lost to a database blip is re-opened once per call (the lock is
re-taken with it); a second failure propagates, so the item or run fails visibly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import psycopg
from psycopg import conninfo

from pantau.storage import crawls, locks
from pantau.storage.db import Timeouts, connection_kwargs

log = logging.getLogger(__name__)
T = TypeVar("T")
FAILURE_SAMPLE = 20
RETRY_LIMIT = 50  # URLs re-attempted per run: retries never crowd out new stories


def _known_urls() -> Callable[[psycopg.Connection, Sequence[str]], set[str]]:
    """storage.articles.known_urls (the store pipeline's own definition) when present."""
    try:
        from pantau.storage.articles import known_urls  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return crawls.known_urls
    return known_urls  # type: ignore[no-any-return,unused-ignore]


def lock_key(site: str) -> str:
    """The advisory lock that keeps two crawls of one site from running at once."""
    return f"crawl:{site}"


@dataclass(frozen=True)
class Discovered:
    """An article URL found on a listing (sitemap, index, tag page, feed)."""

    canonical_url: str
    site: str
    site_article_id: str
    source: str
    listed_title: str | None = None


class CrawlArchive:
    """Crawl bookkeeping on one dedicated connection: runs, discovered URLs, retries, validators."""

    def __init__(self, url: str, *, app_name: str = "pantau-crawl", timeouts: Timeouts | None = None) -> None:
        self._conninfo = conninfo.make_conninfo(url, **connection_kwargs(app_name, timeouts or Timeouts()))
        self._conn: psycopg.Connection | None = None
        self._locked: str | None = None
        self.site: str | None = None
        self.run_id: int | None = None
        self.failures: list[dict[str, str]] = []  # a sample, for the run's record
        self._known = _known_urls()

    # --- connection ------------------------------------------------------------------------------
    def connect(self) -> CrawlArchive:
        """Open the connection; raises psycopg.OperationalError when the database is unreachable."""
        self._conn = psycopg.connect(self._conninfo, autocommit=True)
        return self

    def __enter__(self) -> CrawlArchive:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (which releases the advisory lock)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._locked = None

    @property
    def connection(self) -> psycopg.Connection:
        """The live connection, re-opened (and the lock re-taken) if it broke."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            log.warning("reconnecting to the archive", extra={"site": self.site, "run_id": self.run_id})
            self.connect()
            if self._locked is not None and not locks.try_lock(self.connection, self._locked):
                log.error("lost the lock %s while reconnecting", self._locked)
        assert self._conn is not None
        return self._conn

    def _do(self, work: Callable[[psycopg.Connection], T]) -> T:
        try:
            return work(self.connection)
        except psycopg.OperationalError:
            if self._conn is not None and not self._conn.broken:
                raise  # a query error on a live connection (timeout …): retrying will not help
            self._conn = None
            return work(self.connection)

    def try_lock(self, site: str) -> bool:
        """Take the session lock crawl:<site> on this connection; False if another process holds it."""
        taken = locks.try_lock(self.connection, lock_key(site))
        if taken:
            self._locked = lock_key(site)
        return taken

    def unlock(self) -> None:
        """Release the site lock early (closing the connection releases it too)."""
        if self._locked is not None and self._conn is not None and not self._conn.closed:
            locks.unlock(self._conn, self._locked)
        self._locked = None

    # --- run lifecycle ---------------------------------------------------------------------------
    def start_run(self, site: str, kind: str = "crawl") -> int:
        """Insert a 'running' crawl_runs row and make it this archive's run; its id."""
        self.site = site
        self.run_id = self._do(lambda c: crawls.start_run(c, site, kind))
        return self.run_id

    def adopt_run(self, site: str, run_id: int) -> bool:
        """Make the parent's running row this archive's run; False if it is gone or finished."""
        self.site = site
        adopted = self._do(lambda c: crawls.adopt_run(c, run_id))
        if adopted:
            self.run_id = run_id
        return adopted

    def finish_run(
        self,
        run_id: int,
        status: str,
        reason: str | None,
        counts: Mapping[str, int],
        errors: Sequence[Mapping[str, str]],
    ) -> bool:
        """Give the run its terminal status; False if it already had one."""
        return self._do(lambda c: crawls.finish_run(c, run_id, status, reason, counts, errors))

    # --- articles --------------------------------------------------------------------------------
    def known(self, canonical_urls: Sequence[str]) -> set[str]:
        """Those URLs whose article is already stored (to skip them)."""
        urls = list(canonical_urls)
        return self._do(lambda c: set(self._known(c, urls)))

    def backing_off(self, canonical_urls: Sequence[str]) -> set[str]:
        """Those URLs that failed and wait out their back-off (to skip them until it is over)."""
        urls = list(canonical_urls)
        return self._do(lambda c: crawls.backing_off(c, urls))

    def record_discovered(self, items: Sequence[Discovered]) -> None:
        """Upsert discovered URLs: first/last seen, source, first run; a status is never downgraded."""
        rows = [
            {
                "canonical_url": d.canonical_url,
                "site": d.site,
                "site_article_id": d.site_article_id,
                "source": d.source,
                "listed_title": d.listed_title,
                "run_id": self.run_id,
            }
            for d in items
        ]
        self._do(lambda c: crawls.record_discovered(c, rows))

    def mark_failed(self, canonical_url: str, reason: str) -> None:
        """Record a failed attempt (status failed, attempts+1, exponential back-off); stored stays stored."""
        site = self.site or ""
        if len(self.failures) < FAILURE_SAMPLE:
            self.failures.append({"url": canonical_url, "error": reason[:300]})
        self._do(lambda c: crawls.mark_failed(c, canonical_url, reason, site=site, run_id=self.run_id))

    def mark_stored(self, canonical_urls: Sequence[str]) -> None:
        """Mark discovered URLs 'stored' once their article is in the archive."""
        urls = list(canonical_urls)
        self._do(lambda c: crawls.mark_stored(c, urls))

    def retry_due(self, site: str, limit: int = RETRY_LIMIT, *, kind: str = "crawl") -> list[Discovered]:
        """Failures whose back-off is over, and URLs earlier runs of `kind` discovered but never stored."""
        rows = self._do(
            lambda c: crawls.retry_due(c, site, run_id=self.run_id, limit=limit, grace=timedelta(), kind=kind)
        )
        return [Discovered(*row) for row in rows]

    # --- conditional requests --------------------------------------------------------------------
    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) saved for a sitemap or feed URL."""
        return self._do(lambda c: crawls.validators(c, url))

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a response's validators for the next conditional request."""
        self._do(lambda c: crawls.save_validators(c, url, etag, last_modified))
