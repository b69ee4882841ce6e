"""Real Scrapy crawls (in a subprocess) with the StorePipeline: the database down at start or mid-run.

The spider yields items from `start()` (no site needed); the test controls PostgreSQL's
reachability through a stoppable proxy and reads the crawl's stats from a JSON file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.support.articles import build_article
from tests.support.helpers import ROOT, wait_for
from tests.support.proxy import TcpProxy

pytestmark = pytest.mark.slow  # subprocess Scrapy crawls

CRAWL = """
import asyncio, json, sys, time
from pathlib import Path
import scrapy
from scrapy.crawler import CrawlerProcess
from pantau.base.settings import load_settings
from tests.support.articles import build_article

url, work = sys.argv[1], Path(sys.argv[2])

class ItemsSpider(scrapy.Spider):
    name = "items"

    async def start(self):
        # A site request first: it must never be sent when the database is down at start.
        yield scrapy.Request("http://127.0.0.1:9/listing", callback=self.parse)
        yield build_article(301)
        deadline = time.monotonic() + 30
        while not (work / "go").exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        yield build_article(302)
        yield build_article(303)

    def parse(self, response):
        return []

process = CrawlerProcess({
    "PANTAU_SETTINGS": load_settings(None, data_dir=work / "data", database_url=url),
    "ITEM_PIPELINES": {
        "pantau.pipelines.deduplicate.DeduplicatePipeline": 400,
        "pantau.pipelines.store.StorePipeline": 900,
    },
    "TELNETCONSOLE_ENABLED": False,
    "RETRY_ENABLED": False,
    "LOG_LEVEL": "INFO",
})
crawler = process.create_crawler(ItemsSpider)
process.crawl(crawler)
process.start()
stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float, str))}
(work / "stats.json").write_text(json.dumps(stats))
"""


@pytest.fixture
def proxy(database_url):
    with TcpProxy.for_database(database_url) as running:
        yield running


def start_crawl(url: str, work: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CRAWL, url, str(work)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(crawl: subprocess.Popen[str], work: Path) -> tuple[dict, str]:
    output, _ = crawl.communicate(timeout=60)
    assert crawl.returncode == 0, output
    return json.loads((work / "stats.json").read_text()), output


def stored(database_url: str, *ids: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT site_article_id FROM articles WHERE site_article_id = ANY(%s) ORDER BY 1", (list(ids),)
        ).fetchall()
    return [r[0] for r in rows]


def test_database_down_at_start_closes_the_crawl_before_any_request(proxy, database_url, tmp_path):
    proxy.stop()
    (tmp_path / "go").touch()
    stats, output = finish(start_crawl(proxy.url(database_url), tmp_path), tmp_path)
    assert stats["finish_reason"] == "db_unavailable", output
    assert "downloader/request_count" not in stats
    assert "item_scraped_count" not in stats
    assert "database unavailable, closing the crawl" in output
    assert stored(database_url, "301", "302", "303") == []


def test_database_lost_mid_crawl_stops_it_with_failed_db_and_keeps_unstored_urls_new(
    proxy, database_url, tmp_path
):
    lost = build_article(302)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO discovered_urls (canonical_url, site, site_article_id, source)"
            " VALUES (%s, 'okezone', '302', 'x')",
            (lost.canonical_url,),
        )
    crawl = start_crawl(proxy.url(database_url), tmp_path)
    wait_for(lambda: stored(database_url, "301") == ["301"], 30, "story 301 to be stored", interval=0.02)
    proxy.stop()
    (tmp_path / "go").touch()
    stats, output = finish(crawl, tmp_path)
    assert stats["finish_reason"] == "failed:db", output
    assert stats["pantau/stored"] == 1
    assert stats["pantau/db_retries"] == 3
    assert "InFailedSqlTransaction" not in output
    assert "is not stored and stays queued for the next run" in output
    assert stored(database_url, "301", "302", "303") == ["301"]
    with psycopg.connect(database_url) as conn:
        status = conn.execute(
            "SELECT status FROM discovered_urls WHERE canonical_url = %s", (lost.canonical_url,)
        )
        assert status.fetchone() == ("new",)
