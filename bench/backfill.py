"""What a backfill costs: requests per stored story on the replay world, and a real month per site.

Usage: PYTHONPATH=. python bench/backfill.py [--days 30]

Part 1 runs a real backfill (child crawls, pipelines, an embedded PostgreSQL in a temp dir) over
the backfill world (tests/support/backfill_world.py: five weeks of dated listings, four stories a
page) and counts the server's requests by kind. Part 2 models one real month per site at the
configured politeness (crawl.download_delay x the site's delay_factor, one request at a time per
host; hosts in parallel) from listing sizes in docs/sites.md and desk volumes that are GUESSES,
printed as such.
"""

from __future__ import annotations

import argparse
import logging
import math
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from pantau.base.settings import CrawlConfig, load_settings
from pantau.crawler.backfill.model import backfill_model
from pantau.crawler.backfill.plan import Range
from pantau.crawler.backfill.run import Backfill
from pantau.crawler.site_rules import crawl_site
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from tests.support.backfill_world import backfill_world
from tests.support.replay import serve
from tests.support.replay.world import SITES, WIB

LATENCY = 0.5  # seconds a response takes (guess), on top of the delay
CHUNK_OVERHEAD = 12.0  # seconds per weekly child crawl: start-up and Scrapy's idle checks (measured ~10)


def measure(days: int) -> None:
    """Backfill the replay world and print requests per stored story, per site."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    tmp = Path(tempfile.mkdtemp(prefix="pantau-bench-"))
    server_pg = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
    url = server_pg.get_uri()
    try:
        with Database(url, app_name="bench") as db:
            migrate(db)
        today = datetime.now(WIB).date()
        world, _expected = backfill_world(today)
        with serve(world) as server:
            crawl = {"host_map": server.host_map(), "download_delay": 0.0, "timeout_minutes": 5}
            settings = load_settings(None, data_dir=tmp / "data", database_url=url, crawl=crawl)
            span = Range(today - timedelta(days=days), today - timedelta(days=1), today)
            started = time.monotonic()
            states = Backfill(settings, list(SITES), span, "nk-russia-arms", url).run()
            took = time.monotonic() - started
            print(f"replay world: {days} days, 4 sites in parallel, {took:.0f} s wall clock")
            print(
                f"{'site':8} {'requests':>8} {'robots':>6} {'listing':>7} {'article':>7} "
                f"{'stored':>6} {'on-topic':>8} {'req/stored':>10} {'req/on-topic':>12}"
            )
            with psycopg.connect(url) as conn:
                for site in SITES:
                    log = server.requests(site)
                    robots = sum(r.path == "/robots.txt" for r in log)
                    articles = sum("/read/" in r.path or "/d-" in r.path for r in log)
                    stored = conn.execute(
                        "SELECT count(*) FROM articles WHERE site = %s AND backfilled", (site,)
                    ).fetchone()[0]
                    on_topic = states[site].progress.on_topic
                    print(
                        f"{site:8} {len(log):8} {robots:6} {len(log) - robots - articles:7} {articles:7} "
                        f"{stored:6} {on_topic:8} {len(log) / stored:10.1f} {len(log) / on_topic:12.1f}"
                    )
    finally:
        server_pg.cleanup()


@dataclass(frozen=True)
class Guess:
    """One site's month, as guessed: per-day index pages, the share of index items fetched, the rest."""

    desk_per_day: int  # stories a day on the walked index (GUESS)
    page_size: int  # items an index page lists (docs/sites.md for detik, Kompas; GUESS else)
    prefilter_share: float  # share whose title/slug names North Korea or Russia (GUESS)
    tag_pages: int  # tag pages a month over all walked tags, `rusia` dominating (GUESS)
    search_pages: int  # search pages a month (GUESS)
    extra_articles: int  # stories only tags/search list (other desks) (GUESS)
    pages_per_article: float  # requests per story (Bisnis pages by path)
    listing_host_shared: bool  # index pages on the same host as the articles (one queue)


GUESSES = {
    "detik": Guess(60, 20, 0.15, 20, 0, 10, 1.0, True),
    "kompas": Guess(50, 20, 0.15, 15, 15, 10, 1.0, False),
    "bisnis": Guess(100, 20, 0.05, 0, 4, 5, 1.5, False),
    "okezone": Guess(40, 40, 0.10, 15, 0, 10, 1.0, True),
}


def model(days: int) -> None:
    """Print the modelled requests and hours of a real backfill of `days` days per site."""
    delay = CrawlConfig().download_delay
    print(
        f"\nreal month model ({days} days), download_delay {delay} s x delay_factor, +{LATENCY} s response "
        f"time, {CHUNK_OVERHEAD:.0f} s per weekly chunk; volumes are GUESSES (see GUESSES):"
    )
    print(
        f"{'site':8} {'index':>6} {'tags':>5} {'search':>6} {'articles':>8} {'robots':>6}"
        f" {'total':>6} {'hours':>6}"
    )
    weeks = math.ceil(days / 7) + 1
    for site, g in GUESSES.items():
        per_request = delay * crawl_site(site).politeness.delay_factor + LATENCY
        daily = next(x for x in backfill_model(site).listings if x.kind == "daily")
        index = days * min(math.ceil(g.desk_per_day / g.page_size) + 1, daily.max_pages)  # + the empty page
        articles = round((days * g.desk_per_day * g.prefilter_share + g.extra_articles) * g.pages_per_article)
        robots = weeks * 3  # each child crawl reads robots.txt of its ~3 hosts
        total = index + g.tag_pages + g.search_pages + articles + robots
        busiest = (
            (index if g.listing_host_shared else 0) + articles + (g.tag_pages if site == "kompas" else 0)
        )
        busiest = max(busiest, index)
        hours = (busiest * per_request + weeks * CHUNK_OVERHEAD) / 3600
        print(
            f"{site:8} {index:6} {g.tag_pages:5} {g.search_pages:6} {articles:8} {robots:6}"
            f" {total:6} {hours:6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    measure(args.days)
    model(args.days)


if __name__ == "__main__":
    main()
