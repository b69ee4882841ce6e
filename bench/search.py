"""Search latency at archive scale: our indexed search vs a naive ILIKE scan, same run, same data.

Usage: python bench/search.py [--stories 200000 1000000] [--data-dir DIR] [--runs 30] [--scan-runs 5]

For each size, a database `bench_<size>` of generated Indonesian-like stories (bench/search_data.py)
on an embedded PostgreSQL kept in --data-dir (filled once, then reused; a temp dir if not given),
migrated as `pantau` would. Prints, per size, p50/p95 of representative searches through
`storage.search.search` (ranking + snippets included, 20 results) and of the same searches as
newest-first ILIKE scans, the store rate of `store_article` at that size, and the search table's
sizes; then the p95 of every search at every size side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_data import TOPIC, database, ensure_filled, make_story, server

from pantau.base.models import Article, TopicScore
from pantau.storage import search as archive_search
from pantau.storage.articles import store_article
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from pantau.storage.search import Filters


@dataclass(frozen=True)
class Case:
    """One benchmarked search: our filters and page, and the ILIKE scan that finds the same."""

    name: str
    filters: Filters
    scan: str  # the WHERE clause of the scan on `articles`
    params: tuple[object, ...]
    offset: int = 0


def _like(*words: str) -> tuple[str, tuple[object, ...]]:
    """A scan clause matching any of `words` in title or body, and its parameters."""
    clause = " OR ".join(["title ILIKE %s OR body ILIKE %s"] * len(words))
    return f"({clause})", tuple(f"%{w}%" for w in words for _ in range(2))


MONTH = (
    " AND site = 'detik' AND published_at >= '2024-03-01 00:00+07' AND published_at < '2024-04-01 00:00+07'"
)
ON_TOPIC = (
    " AND EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = articles.id"
    f" AND t.topic = '{TOPIC}' AND t.on_topic)"
)
CASES = [
    Case("rare word", Filters(query="vostochny"), *_like("vostochny")),
    Case("topic word", Filters(query="kursk"), *_like("kursk")),
    Case("common word", Filters(query="pemerintah"), *_like("pemerintah")),
    Case("stemmed: persenjataan", Filters(query="persenjataan"), *_like("senjata")),
    Case("phrase", Filters(query='"rudal balistik"'), *_like("rudal balistik")),
    Case("OR", Filters(query="kursk OR rajin"), *_like("kursk", "rajin")),
    Case(
        "exclusion",
        Filters(query="amunisi -ukraina"),
        "(title ILIKE %s OR body ILIKE %s) AND NOT (title ILIKE %s OR body ILIKE %s)",
        ("%amunisi%", "%amunisi%", "%ukraina%", "%ukraina%"),
    ),
    Case(
        "site + month",
        Filters(query="rudal", sites=("detik",), since=date(2024, 3, 1), until=date(2024, 3, 31)),
        _like("rudal")[0] + MONTH,
        _like("rudal")[1],
    ),
    Case(
        "topic join",
        Filters(query="pyongyang", topic=TOPIC),
        _like("pyongyang")[0] + ON_TOPIC,
        ("%pyongyang%",) * 2,
    ),
    Case(
        "one site + phrase",
        Filters(query='"rudal balistik"', sites=("kompas",)),
        _like("rudal balistik")[0] + " AND site = 'kompas'",
        _like("rudal balistik")[1],
    ),
    Case("deep page (offset 200)", Filters(query="kursk"), *_like("kursk"), offset=200),
]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 of `runs` calls, in milliseconds (one warm-up call first)."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def _scan(conn: psycopg.Connection, query: str, params: tuple[object, ...]) -> object:
    return conn.execute(query.encode(), params).fetchall()


def measure(conn: psycopg.Connection, runs: int, scan_runs: int) -> dict[str, float]:
    """Print the table of every case; return each case's index p95."""
    print("p50/p95 in ms; index = storage.search.search (20 hits, ranked, snippets); scan = the same")
    print("filter as ILIKE on title/body, newest 20 (the same offset)\n")
    header = ("search", "hits", "index p50", "p95", "scan p50", "p95", "p95 ratio")
    print("{:24} {:>5} {:>10} {:>8} {:>10} {:>8} {:>10}".format(*header))
    p95s = {}
    for case in CASES:
        ours = partial(archive_search.search, conn, case.filters, offset=case.offset)
        hits = len(ours())
        index = timed(ours, runs)
        scan_sql = (
            f"SELECT id FROM articles WHERE {case.scan}"
            f" ORDER BY published_at DESC LIMIT 20 OFFSET {case.offset}"
        )
        scan = timed(partial(_scan, conn, scan_sql, case.params), scan_runs)
        ratio = scan[1] / index[1] if index[1] else float("inf")
        print(
            "{:24} {:5} {:10.1f} {:8.1f} {:10.1f} {:8.1f} {:9.1f}x".format(
                case.name, hits, *index, *scan, ratio
            )
        )
        p95s[case.name] = index[1]
    return p95s


def _bench_article(number: int) -> Article:
    """Generated story `number` as the pipelines hand it to the store (topic scored, no fingerprint)."""
    row, marked = make_story(number)
    _id, site, site_id, canonical, url, title, body, published = row[:8]
    return Article(
        site=str(site), url=str(url), canonical_url=str(canonical), site_article_id=str(site_id),
        html="<html></html>", fetched_at=datetime.now(UTC), title=str(title), text=str(body),
        published_at=published, language="id",  # type: ignore[arg-type]
        topics={TOPIC: TopicScore(6.0 if marked else 0.5, marked, [])},
    )  # fmt: skip


def store_rate(conn: psycopg.Connection, count: int) -> float:
    """Stories a second through store_article (one transaction each); the stored ones are removed."""
    first = 50_000_000  # story numbers no archive size reaches: every store is a new story
    articles = [replace(_bench_article(first + i), site_article_id=f"store-{i}") for i in range(count)]
    started = time.perf_counter()
    ids = [store_article(conn, article).article_id for article in articles]
    rate = count / (time.perf_counter() - started)
    conn.execute("DELETE FROM articles WHERE id = ANY(%s)", (ids,))
    return rate


SIZES = """SELECT c.relname, pg_size_pretty(pg_total_relation_size(c.oid)), pg_total_relation_size(c.oid)
FROM pg_class c WHERE c.relname IN ('article_search', 'article_search_idx', 'article_search_published_idx',
    'article_search_site_published_idx', 'article_search_pkey', 'articles', 'article_topics')
ORDER BY c.relname"""


def print_sizes(conn: psycopg.Connection) -> None:
    """The sizes of the search table, its indexes, and the tables it is kept beside."""
    rows = conn.execute(SIZES).fetchall()
    print(
        "sizes (with TOAST and indexes for tables): "
        + ", ".join(f"{name} {pretty}" for name, pretty, _ in rows)
    )


def bench_size(admin_url: str, stories: int, args: argparse.Namespace) -> tuple[dict[str, float], float]:
    """Fill, migrate and measure one archive size; its p95s and its store rate."""
    url, _new = database(admin_url, stories)
    with Database(url, app_name="pantau-bench") as db:
        started = time.perf_counter()
        migrate(db)
        print(f"\n=== {stories:,} stories (migrated in {time.perf_counter() - started:.0f} s)")
        filled = ensure_filled(url, stories)
        if filled is not None:
            print(f"generated and indexed in {filled:.0f} s")
        with db.connection() as conn:
            conn.execute("SET statement_timeout = 0")  # a naive scan of a million stories takes minutes
            p95s = measure(conn, args.runs, args.scan_runs)
            rate = store_rate(conn, args.store)
            print(f"store rate: {rate:.0f} stories/s (store_article, {args.store} new stories)")
            print_sizes(conn)
    return p95s, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--data-dir", type=Path, help="keep the generated archives here (reused)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scan-runs", type=int, default=5)
    parser.add_argument("--store", type=int, default=300, help="stories stored to measure the store rate")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp,
        server(args.data_dir or Path(tmp)) as admin,
    ):
        results = {size: bench_size(admin, size, args) for size in sorted(args.stories)}
    sizes = sorted(results)
    print("\nindex p95 (ms) by archive size")
    print("{:24}".format("search") + "".join(f"{size:>12,}" for size in sizes))
    for case in CASES:
        print(f"{case.name:24}" + "".join(f"{results[size][0][case.name]:12.1f}" for size in sizes))
    print(f"{'store rate (stories/s)':24}" + "".join(f"{results[size][1]:12.0f}" for size in sizes))


if __name__ == "__main__":
    main()
