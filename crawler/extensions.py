"""RunRecorder: the crawl process's own record of its run, written to crawl_runs at close.

At `spider_opened` it opens the archive, takes the site's advisory lock and adopts the run row its
parent inserted (PANTAU_RUN_ID) or creates one (`scrapy crawl <site>` by hand). It closes the spider
before any site request when the database is unreachable (`db_unavailable`) or another process
crawls the site (`locked`). At `spider_closed` it turns Scrapy's finish reason and the `pantau/*`
stats into a terminal status and counts, and prints them on stderr as a `PANTAU_RESULT` line too,
so the parent can record the verdict when the child could not (the exit code is no verdict).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

import psycopg
from scrapy import signals
from scrapy.exceptions import CloseSpider

from pantau.crawler.archive import CrawlArchive
from pantau.crawler.child import RESULT_MARKER
from pantau.storage import crawls
from pantau.storage.db import Database, Timeouts, describe_server, first_line
from pantau.storage.migrate import migrate

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from pantau.base.settings import Settings

log = logging.getLogger(__name__)
ERROR_SAMPLE = 20  # error URLs kept in crawl_runs.errors


class RunRecorder:
    """Opens the crawl's archive and lock, and records the run's terminal status and counts."""

    def __init__(self, stats: StatsCollector, pantau: Settings | None, run_id: int | None, kind: str) -> None:
        self.stats = stats
        self._pantau = pantau
        self._given_run_id = run_id
        self.kind = kind
        self.archive: CrawlArchive | None = None
        self.run_id: int | None = None
        self.errors: list[dict[str, str]] = []
        self._embedded: Database | None = None
        self._early_status: tuple[str, str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        """Read PANTAU_SETTINGS, PANTAU_RUN_ID and PANTAU_RUN_KIND; connect to the signals."""
        run_id = crawler.settings.getint("PANTAU_RUN_ID") or None
        kind = crawler.settings.get("PANTAU_RUN_KIND") or "crawl"
        ext = cls(crawler.stats, crawler.settings.get("PANTAU_SETTINGS"), run_id, kind)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # --- opening ---------------------------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        """Archive, lock and run row, or CloseSpider(db_unavailable | locked) before any request."""
        site = spider.name
        try:
            self.archive = self._open_archive()
        except (psycopg.Error, OSError) as exc:
            log.error("cannot reach the archive: %s", first_line(exc), extra={"site": site})
            self._early_status = ("failed", "db_unavailable")
            raise CloseSpider("db_unavailable") from None
        if not self.archive.try_lock(site):
            log.warning("another process is crawling %s; skipping this run", site, extra={"site": site})
            self._early_status = ("skipped", "locked")
            self._adopt_or_start(site)
            raise CloseSpider("locked")
        self._adopt_or_start(site)
        # The spiders read these (they are no Spider attributes Scrapy knows of).
        spider.archive = self.archive  # type: ignore[attr-defined]
        spider.run_id = self.run_id  # type: ignore[attr-defined]
        # DEBUG: the runner logs the start and a summary at INFO (issue 13: a few lines per site).
        log.debug("crawl run started", extra={"site": site, "run_id": self.run_id})

    def _open_archive(self) -> CrawlArchive:
        settings = self._settings()
        timeouts = Timeouts(
            connect=settings.database.connect_timeout,
            statement=settings.database.statement_timeout,
            lock=settings.database.lock_timeout,
        )
        if settings.database_url is not None:
            url = settings.database_url.get_secret_value()
        else:  # by hand, without PANTAU_DATABASE_URL: the embedded server (kept up while we run)
            from pantau.storage.db import open_database

            self._embedded = open_database(settings, app_name="pantau-crawl")
            url = self._embedded.url
        archive = CrawlArchive(url, timeouts=timeouts).connect()
        if not crawls.schema_present(archive.connection):  # `scrapy crawl` on a fresh database
            log.info("migrating the archive at %s", describe_server(url))
            migrate(Database(url, app_name="pantau-crawl", timeouts=timeouts))
        return archive

    def _settings(self) -> Settings:
        if self._pantau is None:
            from pantau.base.settings import load_settings

            self._pantau = load_settings()
        return self._pantau

    def _adopt_or_start(self, site: str) -> None:
        assert self.archive is not None
        if self._given_run_id is not None and self.archive.adopt_run(site, self._given_run_id):
            self.run_id = self._given_run_id
            return
        if self._given_run_id is not None:
            log.warning("run %s is not running any more; recording a new run", self._given_run_id)
        self.run_id = self.archive.start_run(site, self.kind)

    # --- items -----------------------------------------------------------------------------------
    def item_scraped(self, item: Any, spider: Spider) -> None:  # noqa: ARG002
        """An item passed every pipeline: its URL is stored (samples of missed selectors are kept)."""
        url = getattr(item, "canonical_url", None)
        if url and self.archive is not None:
            self._guard(lambda a: a.mark_stored([url]))
        for name in getattr(item, "extra", {}).get("missed_selectors", ()):
            self._note(url or "?", f"{name} selector matched nothing (stored from the whole page)")

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Spider) -> None:  # noqa: ARG002
        """A pipeline dropped the item: record the URL as failed, to be retried later."""
        self._failed(item, f"dropped: {exception}")

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:  # noqa: ARG002
        """A pipeline raised: count it (Scrapy does not) and record the URL as failed."""
        self.stats.inc_value("pantau/item_error")
        self.stats.inc_value("pantau/errors")
        self._failed(item, f"error: {first_line(failure.value)}")

    def spider_error(self, failure: Any, response: Any, spider: Spider) -> None:  # noqa: ARG002
        """A spider callback raised: keep a sample of its URL."""
        self._note(getattr(response, "url", "?"), f"spider error: {first_line(failure.value)}")

    def _failed(self, item: Any, reason: str) -> None:
        url = getattr(item, "canonical_url", None)
        if not url:
            return
        self._note(url, reason)
        if self.archive is not None:
            self._guard(lambda a: a.mark_failed(url, reason))

    def _note(self, url: str, error: str) -> None:
        if len(self.errors) < ERROR_SAMPLE:
            self.errors.append({"url": url, "error": error[:300]})

    def _guard(self, work: Any) -> None:
        try:
            work(self.archive)
        except psycopg.Error as exc:
            self.stats.inc_value("pantau/archive_errors")
            site = self.archive.site if self.archive is not None else None
            log.error("archive write failed: %s", first_line(exc), extra={"site": site})

    # --- closing ---------------------------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record the terminal status and counts, print them for the parent, release the lock."""
        stats = self.stats.get_stats()
        counts = counts_from_stats(stats)
        status, why = self._early_status or status_for(reason, counts)
        errors = self.errors + [e for e in self._archive_failures() if e not in self.errors]
        written = False
        if self.archive is not None and self.run_id is not None:
            try:
                written = self.archive.finish_run(self.run_id, status, why, counts, errors[:ERROR_SAMPLE])
            except psycopg.Error as exc:
                log.error("could not record the run's end: %s", first_line(exc), extra={"site": spider.name})
        # The run id the parent gave, even when no row could be adopted: the parent records it then.
        run_id = self.run_id if self.run_id is not None else self._given_run_id
        result = {"run_id": run_id, "status": status, "reason": why, "counts": counts}
        result["written"] = written
        print(RESULT_MARKER + json.dumps(result), file=sys.stderr, flush=True)
        log.debug("crawl run ended: %s%s", status, f" ({why})" if why else "", extra={"run_id": self.run_id})
        self._close()

    def _archive_failures(self) -> list[dict[str, str]]:
        return list(self.archive.failures) if self.archive is not None else []

    def _close(self) -> None:
        if self.archive is not None:
            self.archive.close()
        if self._embedded is not None:
            self._embedded.close()


# --- verdicts ------------------------------------------------------------------------------------
# pantau/<name> stats the spiders and pipelines increment, recorded as counts[<name>].
PANTAU_COUNTS = (
    "discovered",
    "known",
    "fetched",
    "stored",
    "updated",
    "unchanged",
    "on_topic",
    "duplicates",
    "errors",
    "blocked",
    "blocked_listings",
    "tls_errors",
    "listings_answered",
    "backing_off",
    "extraction_failed",
    "fallback",
    "item_error",
    "archive_errors",
    "replacement_chars",
    "missed_body",
)
# Scrapy stats worth keeping beside them.
SCRAPY_COUNTS = {
    "requests": "downloader/request_count",
    "retries_exhausted": "retry/max_reached",
    "robots_forbidden": "robotstxt/request_count_forbidden",
    "items_dropped": "item_dropped_count",
    "log_errors": "log_count/ERROR",
}
# Scrapy finish reasons and the run status each means; any other reason is a failure.
STATUS_BY_REASON = {
    "finished": "finished",
    "closespider_pagecount": "finished",  # the per-run page budget was spent: a normal end
    "closespider_itemcount": "finished",
    "closespider_timeout": "timeout",
    "shutdown": "interrupted",
    "cancelled": "interrupted",
    "locked": "skipped",
    "robots_unreachable": "failed",  # fail closed for this run (docs/reliability.md 3); the next run retries
    "blocked": "blocked",
}


def counts_from_stats(stats: dict[str, Any]) -> dict[str, int]:
    """The run's counts: pantau/* stats, key Scrapy stats, and responses by status (status_<code>)."""
    counts = {name: int(stats.get(f"pantau/{name}", 0)) for name in PANTAU_COUNTS}
    counts.update({name: int(stats.get(key, 0)) for name, key in SCRAPY_COUNTS.items()})
    prefix = "downloader/response_status_count/"
    for key, value in stats.items():
        if key.startswith(prefix):
            counts[f"status_{key[len(prefix) :]}"] = int(value)
    return counts


def status_for(reason: str, counts: dict[str, int]) -> tuple[str, str | None]:
    """(status, reason) of a run from Scrapy's finish reason and the counts."""
    status = STATUS_BY_REASON.get(reason, "failed")
    if reason == "robots_unreachable" and counts.get("tls_errors"):
        return "failed", "tls"  # the certificate, not the site: see README "Behind a proxy"
    # Blocked means the site would not show its listings; block pages for some articles are counted
    # (and those articles wait out the failure back-off), but the run itself finished.
    if status == "finished" and counts["blocked_listings"] and not counts["listings_answered"]:
        return "blocked", f"{counts['blocked_listings']} listing(s) answered with block pages"
    return status, None if status == "finished" else reason
