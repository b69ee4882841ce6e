"""StorePipeline against PostgreSQL behind a stoppable proxy: counts, retries, outages, reconnects."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.test import get_crawler

from pantau.base.errors import DatabaseUnavailable
from pantau.base.models import TopicScore
from pantau.pipelines.deduplicate import DeduplicatePipeline
from pantau.pipelines.store import CLOSE_REASON, OPEN_REASON, RETRY_DELAYS, StorePipeline
from tests.support.articles import build_article
from tests.support.proxy import TcpProxy


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    with TcpProxy.for_database(database_url) as running:
        yield running


class Recorder:
    """Stands in for time.sleep and the engine's close: records calls, runs an optional action."""

    def __init__(self, on_sleep=None) -> None:
        self.sleeps: list[float] = []
        self.closed: list[str] = []
        self.on_sleep = on_sleep

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(len(self.sleeps))

    def close(self, reason: str) -> None:
        self.closed.append(reason)


def pipeline_for(url: str, recorder: Recorder) -> StorePipeline:
    return StorePipeline(url, close_crawl=recorder.close, sleep=recorder.sleep)


EDITED = "Isi yang diperbarui: Kremlin membenarkan pertemuan Kim Jong Un dan Vladimir Putin di Vostochny."


def fingerprinted(number: int, **fields):
    return DeduplicatePipeline().process_item(build_article(number, **fields))


def stored_count(database_url: str, site_article_id: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM articles WHERE site_article_id = %s", (site_article_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def discovered_status(database_url: str, canonical_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT status FROM discovered_urls WHERE canonical_url = %s", (canonical_url,)
        ).fetchone()
    assert row is not None
    return str(row[0])


def discover(database_url: str, canonical_url: str, site_article_id: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO discovered_urls (canonical_url, site, site_article_id, source)"
            " VALUES (%s, 'okezone', %s, %s)",
            (canonical_url, site_article_id, "https://news.okezone.com/indeks"),
        )


def test_from_crawler_counts_every_outcome_and_sets_the_cluster(make_settings, database_url):
    crawler = get_crawler(settings_dict={"PANTAU_SETTINGS": make_settings()})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        first = pipeline.process_item(fingerprinted(201))
        pipeline.process_item(fingerprinted(201))  # unchanged
        pipeline.process_item(fingerprinted(201, text=EDITED))
        copy = pipeline.process_item(fingerprinted(202, site="detik", site_article_id="d-202", text=EDITED))
        pipeline.process_item(
            fingerprinted(203, text="Harga cabai naik.", topics={"x": TopicScore(0.0, False)})
        )
    finally:
        pipeline.close_spider()
    stats = crawler.stats.get_stats()
    assert {k: v for k, v in stats.items() if k.startswith("pantau/")} == {
        "pantau/stored": 3,
        "pantau/unchanged": 1,
        "pantau/updated": 1,
        "pantau/duplicates": 1,
        "pantau/on_topic_stored": 2,
    }
    assert first.cluster_id is not None
    assert copy.cluster_id == first.cluster_id
    assert pipeline.conn is None


def test_database_down_at_start_closes_the_crawl_quickly(proxy, database_url):
    proxy.stop()
    recorder = Recorder()
    pipeline = pipeline_for(proxy.url(database_url), recorder)
    with pytest.raises(CloseSpider) as raised:
        pipeline.open_spider()
    assert raised.value.reason == OPEN_REASON == "db_unavailable"
    assert recorder.sleeps == []  # quickly: one attempt, no back-off before closing


def test_outage_mid_run_is_retried_and_the_item_stored_when_the_database_returns(proxy, database_url):
    # The proxy comes back during the second back-off pause: the third attempt reconnects and stores.
    recorder = Recorder(on_sleep=lambda n: proxy.start() if n == 2 else None)
    pipeline = pipeline_for(proxy.url(database_url), recorder)
    pipeline.open_spider()
    pipeline.process_item(fingerprinted(211))
    proxy.stop()
    item = pipeline.process_item(fingerprinted(212))
    pipeline.close_spider()
    assert recorder.sleeps == list(RETRY_DELAYS[:2])
    assert recorder.closed == []
    assert item.cluster_id is not None
    assert stored_count(database_url, "212") == 1


def test_lasting_outage_closes_the_crawl_and_leaves_the_url_queued(proxy, database_url):
    lost = fingerprinted(221)
    discover(database_url, lost.canonical_url, "221")
    recorder = Recorder()
    pipeline = pipeline_for(proxy.url(database_url), recorder)
    pipeline.open_spider()
    proxy.stop()
    with pytest.raises(DatabaseUnavailable, match=r"failed 4 times; .*/221/berita is not stored"):
        pipeline.process_item(lost)
    assert recorder.sleeps == [0.5, 1.0, 2.0]
    assert recorder.closed == [CLOSE_REASON] == ["failed:db"]
    # Items already in the pipeline are not stored either, and do not wait out the back-off again.
    with pytest.raises(DropItem, match="database is unavailable"):
        pipeline.process_item(fingerprinted(222))
    assert len(recorder.sleeps) == 3
    pipeline.close_spider()
    assert stored_count(database_url, "221") == 0
    assert discovered_status(database_url, lost.canonical_url) == "new"  # the next run fetches it again

    proxy.start()  # the next run, with the database back
    again = pipeline_for(proxy.url(database_url), Recorder())
    again.open_spider()
    again.process_item(fingerprinted(221))
    again.close_spider()
    assert discovered_status(database_url, lost.canonical_url) == "stored"


def test_killed_backend_is_replaced_and_no_failed_transaction_cascades(database_url):
    recorder = Recorder()
    pipeline = pipeline_for(database_url, recorder)
    pipeline.open_spider()
    pipeline.process_item(fingerprinted(231))
    assert pipeline.conn is not None
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pipeline.conn.info.backend_pid,))
    pipeline.process_item(fingerprinted(232))  # fails once on the dead connection, then reconnects
    assert recorder.sleeps == [0.5]
    # A refused item rolls back its own transaction only: the next one on the connection is stored.
    with pytest.raises(DropItem, match="empty body"):
        pipeline.process_item(fingerprinted(233, text="\x00"))
    pipeline.process_item(fingerprinted(234))
    pipeline.close_spider()
    assert [stored_count(database_url, n) for n in ("231", "232", "233", "234")] == [1, 1, 0, 1]
    assert recorder.closed == []
