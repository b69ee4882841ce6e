"""StorePipeline: every item into PostgreSQL through one plain connection, retried, never lost.

A database that fails mid-crawl is retried with back-off (reconnecting after a lost connection);
if it stays down the crawl closes with reason `failed:db` and the item is not stored, so its
discovered URL stays 'new' and the next run fetches it again. Down at start: `db_unavailable`,
before any site is requested.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

import psycopg
from psycopg import conninfo
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro

from pantau.base.errors import DatabaseUnavailable
from pantau.storage.articles import StoreResult, store_article
from pantau.storage.db import Timeouts, connection_kwargs, describe_server, first_line, open_database

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from pantau.base.models import Article
    from pantau.base.settings import Settings
    from pantau.storage.db import Database

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.5, 1.0, 2.0)  # seconds before the 2nd, 3rd and 4th attempt
CLOSE_REASON = "failed:db"
OPEN_REASON = "db_unavailable"
_OUTCOME_STATS = {"new": "pantau/stored", "updated": "pantau/updated", "unchanged": "pantau/unchanged"}


class StorePipeline:
    """Store each article (one transaction, idempotent); stop the crawl if the database stays down."""

    def __init__(
        self,
        database_url: str | None,
        *,
        stats: StatsCollector | None = None,
        close_crawl: Callable[[str], None] | None = None,
        settings: Settings | None = None,
        timeouts: Timeouts | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.database_url = database_url
        self.stats = stats
        self.close_crawl = close_crawl
        self.settings = settings  # only to open the embedded database when no URL is given
        self.timeouts = timeouts or Timeouts()
        self.retry_delays = tuple(retry_delays)
        self.sleep = sleep
        self.conn: psycopg.Connection | None = None
        self.failed = False
        self._embedded: Database | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Build from the pantau Settings in `crawler.settings["PANTAU_SETTINGS"]`."""
        settings: Settings = crawler.settings["PANTAU_SETTINGS"]
        url = settings.database_url.get_secret_value() if settings.database_url else None
        timeouts = Timeouts(
            connect=settings.database.connect_timeout,
            statement=settings.database.statement_timeout,
            lock=settings.database.lock_timeout,
        )

        def close_crawl(reason: str) -> None:
            # Scheduled, not awaited: the engine waits for items in progress, this one included.
            assert crawler.engine is not None
            deferred_from_coro(crawler.engine.close_spider_async(reason=reason))

        return cls(url, stats=crawler.stats, close_crawl=close_crawl, settings=settings, timeouts=timeouts)

    def open_spider(self) -> None:
        """Connect once; an unreachable database closes the crawl before any site is requested."""
        try:
            if self.database_url is None:
                if self.settings is None:
                    raise DatabaseUnavailable("no database URL and no settings to open the embedded one")
                self._embedded = open_database(self.settings, app_name="pantau-store")
                self.database_url = self._embedded.url
            self.conn = self._connect()
        except (psycopg.OperationalError, DatabaseUnavailable) as exc:
            log.error("database unavailable, closing the crawl: %s", first_line(exc))
            raise CloseSpider(OPEN_REASON) from exc

    def close_spider(self) -> None:
        """Close the connection (and release the embedded database, if this process opened it)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self._embedded is not None:
            self._embedded.close()
            self._embedded = None

    def process_item(self, item: Article) -> Article:
        """Store the item, retrying a failing database; count the outcome and set `cluster_id`."""
        if self.failed:
            raise DropItem(f"not stored, the database is unavailable: {item.canonical_url}")
        try:
            result = self._store_with_retries(item)
        except ValueError as exc:  # an item the archive refuses (no title/body): nothing to retry
            raise DropItem(str(exc)) from exc
        item.cluster_id = result.cluster_id
        self._count(result, item)
        return item

    def _store_with_retries(self, item: Article) -> StoreResult:
        delays = iter(self.retry_delays)
        attempt = 0
        while True:
            attempt += 1
            try:
                return store_article(self._connection(), item)
            except psycopg.OperationalError as exc:
                # The transaction was rolled back by its context; a broken connection is replaced.
                self._drop_broken_connection()
                log.warning(
                    "storing %s failed (attempt %d): %s", item.canonical_url, attempt, first_line(exc)
                )
                delay = next(delays, None)
                if delay is None:
                    self._give_up(item, exc)
                self._inc("pantau/db_retries")
                self.sleep(delay)

    def _give_up(self, item: Article, exc: Exception) -> NoReturn:
        self.failed = True
        self._inc("pantau/db_failures")
        message = (
            f"PostgreSQL at {describe_server(self.database_url or '')} failed {len(self.retry_delays) + 1} "
            f"times; {item.canonical_url} is not stored and stays queued for the next run: {first_line(exc)}"
        )
        log.error(message)
        if self.close_crawl is not None:
            self.close_crawl(CLOSE_REASON)
        raise DatabaseUnavailable(message) from exc

    def _connection(self) -> psycopg.Connection:
        if self.conn is None:
            self.conn = self._connect()
        return self.conn

    def _connect(self) -> psycopg.Connection:
        assert self.database_url is not None
        params = connection_kwargs("pantau-store", self.timeouts)
        return psycopg.connect(conninfo.make_conninfo(self.database_url, **params), autocommit=True)

    def _drop_broken_connection(self) -> None:
        if self.conn is not None and (self.conn.broken or self.conn.closed):
            self.conn.close()
            self.conn = None

    def _count(self, result: StoreResult, item: Article) -> None:
        self._inc(_OUTCOME_STATS[result.outcome])
        if result.duplicate_of is not None:
            self._inc("pantau/duplicates")
        # On-topic stories new to the archive: what a digest of this run could show.
        if result.outcome == "new" and any(score.on_topic for score in item.topics.values()):
            self._inc("pantau/on_topic_stored")

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)
