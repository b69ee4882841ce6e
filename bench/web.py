"""Web view latency at archive scale: home, topic page (365 days) and faceted search, over HTTP.

Usage: PYTHONPATH=. python bench/web.py [--stories 200000] [--runs 40]
Fills a throwaway embedded PostgreSQL with bench/search.py's generated stories (a few in a hundred
on the topic, over 900 days), moves the on-topic ones to end now with matched terms and story
clusters of three, serves the web view on a loopback port and prints p50/p95 of whole page requests (query,
rendering, HTTP). The baseline, measured in the same run, is the topic chart counted from articles
and article_topics directly instead of from 0040's summary table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from bench.search import timed
from bench.search_data import TOPIC, fill
from pantau.base.settings import load_settings
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from pantau.web.app import create_app
from scripts.screenshots import serving

TERMS = ("Korea Utara", "Rusia", "senjata", "amunisi", "rudal", "KN-23", "pasukan", "Kursk", "sanksi")
# The old way, for the ratio: a year of on-topic stories per day and site counted from the archive.
BASELINE = """
SELECT (a.published_at AT TIME ZONE 'Asia/Jakarta')::date, a.site, count(*)
FROM articles a JOIN article_topics t ON t.article_id = a.id
WHERE t.topic = %s AND t.on_topic AND a.published_at >= %s AND a.published_at < %s
GROUP BY 1, 2
"""


def prepare(url: str) -> None:
    """Move the stories to end now, give on-topic ones their terms, and group some into clusters."""
    with psycopg.connect(url, autocommit=True) as conn:
        newest = conn.execute("SELECT max(published_at) FROM articles").fetchone()
        shift = datetime.now(UTC) - newest[0] if newest and newest[0] else timedelta(0)
        conn.execute(
            """UPDATE article_topics t SET matched_terms = coalesce((
                   SELECT jsonb_agg(term) FROM unnest(%s::text[]) AS term
                   WHERE s.search @@ phraseto_tsquery('indonesian', term)), '[]')
               FROM article_search s WHERE s.article_id = t.article_id AND t.on_topic""",
            (list(TERMS),),
        )
        # The on-topic stories end now, copies of one story three by three. Only they: rewriting
        # every row recomputes every text vector (minutes), and the pages show on-topic stories.
        conn.execute(
            """UPDATE articles a SET published_at = a.published_at + %s, cluster_id = a.id - a.id %% 3 + 1
               FROM article_topics t WHERE t.article_id = a.id AND t.on_topic""",
            (shift,),
        )
        for table in ("articles", "article_topics", "topic_coverage", "topic_term_days"):
            conn.execute(f"VACUUM ANALYZE {table}")


def measure(base: str, url: str, runs: int) -> None:
    pages = [
        ("home (30 days)", "/"),
        ("home (365 days)", "/?days=365"),
        ("topic page (365 days, weekly)", f"/topics/{TOPIC}"),
        ("topic page (365 days, JSON)", f"/topics/{TOPIC}.json"),
        ("faceted search: senjata", "/?q=senjata"),
        (
            "faceted search: rudal, detik, one month",
            "/search?q=rudal&site=detik&since=2025-03-01&until=2025-03-31",
        ),
        ("faceted search: on topic, one per story", f"/search?q=amunisi&topic={TOPIC}&clusters=1"),
        ("faceted search: common word (pemerintah)", "/?q=pemerintah"),
    ]
    print("page                                              p50 ms   p95 ms")
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
            p50, p95 = timed(lambda path=path: client.get(path), runs)
            print(f"{name:48} {p50:8.1f} {p95:8.1f}")
    now = datetime.now(UTC)
    with psycopg.connect(url, autocommit=True) as conn:
        year = (TOPIC, now - timedelta(days=365), now)
        chart = "SELECT * FROM topic_coverage WHERE topic = %s AND hour >= %s AND hour < %s"
        summary = timed(lambda: conn.execute(chart, year).fetchall(), runs)
        scan = timed(lambda: conn.execute(BASELINE, year).fetchall(), max(5, runs // 4))
    print(f"\nthe 365-day chart's query: summary table p95 {summary[1]:.1f} ms; counted from the archive"
          f" p95 {scan[1]:.1f} ms ({scan[1] / max(summary[1], 0.001):.0f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver  # type: ignore[import-untyped, unused-ignore]
    with tempfile.TemporaryDirectory(prefix="pantau-bench-web-") as tmp:
        server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")  # type: ignore[attr-defined, unused-ignore]
        url = server.get_uri()
        try:
            with Database(url, app_name="pantau-bench") as db:
                migrate(db)
                started = time.perf_counter()
                fill(url, 0, args.stories)
                prepare(url)
                took = time.perf_counter() - started
                print(f"{args.stories} stories, loaded in {took:.0f} s; {args.runs} requests a page\n")
                settings = load_settings(None, data_dir=Path(tmp) / "data")
                with serving(create_app(db, settings)) as base:
                    measure(base, url, args.runs)
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
