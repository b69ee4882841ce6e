"""Story clusters: pair precision and recall on the labelled pairs, the cost per stored story by archive size.

Usage: PYTHONPATH=. python bench/clusters.py [--sizes 0 200000 1000000] [--per-day 1100]

1. The labelled pairs of tests/storage/story_pairs.py (wire copies with outlets' edits, the same event
   by other reporters, other events with the same actors) decided by the measure the store uses
   (pantau.base.fingerprints.resemblance), and, as the baseline, by the SimHash distance the store used
   before migration 0020 (at most 7 bits): pair precision and recall, per kind of pair.
2. A throwaway archive (an embedded PostgreSQL in a temp dir) filled in SQL with `--per-day` stories a
   day going back in time, grown in place from one size to the next (history grows, a day's volume
   does not; the default first size, 0, is the baseline of the same run), each with ~20 anchors, a
   share of them drawn from the probes' own anchors (the phrases stories on the same actors share).
   Then the probes (every distinct text of the labelled set, published "now") are stored through
   `storage.articles.store_article`, the store pipeline's own call (insert, anchors, candidates within
   the window, comparison, cluster): milliseconds per story, and the anchor rows its lookup reads.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from pantau.base.fingerprints import anchors, hamming, resemblance, shingle_set, simhash
from pantau.base.models import Article, TopicScore
from pantau.storage.articles import store_article
from pantau.storage.clusters import WINDOW
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from tests.storage.story_pairs import Pair, labelled_pairs

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD_SIMHASH_BITS = 7  # storage.articles.NEAR_DUPLICATE_DISTANCE before 0020
ANCHORS_PER_STORY = 20
SHARED_ANCHOR_SHARE = 0.3  # a background story carries one of the probes' anchors this often
ROUNDS = 5  # the probes are stored (and removed) this many times per size: the medians are printed


def _score(name: str, pairs: list[Pair], decide: dict[str, bool]) -> None:
    tp = sum(1 for p in pairs if p.same and decide[p.name])
    fp = sum(1 for p in pairs if not p.same and decide[p.name])
    fn = sum(1 for p in pairs if p.same and not decide[p.name])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"{name:38} tp={tp:3} fp={fp:2} fn={fn:3}  precision={precision:.3f} recall={recall:.3f}")


def pair_figures(pairs: list[Pair]) -> None:
    """Precision and recall of the store's measure and of the old SimHash rule, overall and per kind."""
    measure = {p.name: resemblance(shingle_set(p.a), shingle_set(p.b)).same_story for p in pairs}
    old = {p.name: hamming(simhash(p.a), simhash(p.b)) <= OLD_SIMHASH_BITS for p in pairs}
    kinds = Counter(p.kind for p in pairs)
    print(f"labelled pairs: {len(pairs)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    _score("4-word shingle containment (now)", pairs, measure)
    _score(f"SimHash <= {OLD_SIMHASH_BITS} bits (before 0020)", pairs, old)
    for kind in sorted(kinds):
        of_kind = [p for p in pairs if p.kind == kind]
        wrong = sum(1 for p in of_kind if measure[p.name] != p.same)
        wrong_old = sum(1 for p in of_kind if old[p.name] != p.same)
        print(f"  {kind:12} decided wrong: now {wrong} of {len(of_kind)}, SimHash {wrong_old}")


def _probe_texts(pairs: list[Pair]) -> list[str]:
    return list(dict.fromkeys(text for p in pairs for text in (p.a, p.b)))


def fill(url: str, first: int, last: int, per_day: int, shared: list[int]) -> None:
    """Background stories number first..last-1, the n-th published n/per_day days before NOW."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        # Indexes built once after the load are much faster than maintained row by row.
        conn.execute("ALTER TABLE article_anchors DROP CONSTRAINT IF EXISTS article_anchors_pkey")
        conn.execute("DROP INDEX IF EXISTS article_anchors_article_idx")
        conn.execute("DROP INDEX IF EXISTS article_search_idx")
        conn.execute(
            """WITH new AS (
                 INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, published_at,
                     language, content_hash, simhash, first_seen_at, last_seen_at)
                 SELECT (ARRAY['okezone','detik','bisnis','kompas'])[1 + g %% 4], 'bg' || g,
                        'https://bg.example/' || g, 'https://bg.example/' || g, 'Berita ' || g,
                        'Isi berita nomor ' || g || '.', %(now)s - make_interval(secs => g * %(gap)s),
                        'id', md5(g::text), g, %(now)s, %(now)s
                 FROM generate_series(%(first)s, %(last)s - 1) g
                 RETURNING id, published_at)
               INSERT INTO article_anchors (anchor, at, article_id)
               SELECT CASE WHEN k = 1 AND random() < %(share)s  -- at most one shared anchor a story
                           THEN (%(shared)s::bigint[])[1 + floor(random() * %(n)s)::int]
                           ELSE (random() * 9.2e18 - 4.6e18)::bigint END,
                      new.published_at, new.id
               FROM new, generate_series(1, %(per)s) k""",
            {
                "now": NOW,
                "gap": 86400.0 / per_day,
                "first": first,
                "last": last,
                "share": SHARED_ANCHOR_SHARE,
                "shared": shared,
                "n": len(shared),
                "per": ANCHORS_PER_STORY,
            },
        )
        conn.execute("UPDATE articles SET cluster_id = id WHERE cluster_id IS NULL")
        conn.execute("ALTER TABLE article_anchors ADD PRIMARY KEY (anchor, at, article_id)")
        conn.execute("CREATE INDEX article_anchors_article_idx ON article_anchors (article_id)")
        # The search table's GIN index as 0010 makes it (storing a story updates it in place).
        conn.execute(
            "CREATE INDEX article_search_idx ON article_search USING gin (search) WITH (fastupdate = off)"
        )
        conn.execute("VACUUM ANALYZE article_search")
        conn.execute("VACUUM ANALYZE articles")
        conn.execute("VACUUM ANALYZE article_anchors")


def _probe(number: int, text: str) -> Article:
    url = f"https://news.okezone.com/read/2026/06/01/18/{900000 + number}/probe"
    return Article(
        site="okezone",
        url=url,
        canonical_url=url,
        site_article_id=f"probe{number}",
        html="<html></html>",
        fetched_at=NOW,
        title=f"Probe {number}",
        text=text,
        published_at=NOW - timedelta(minutes=number % 180),
        language="id",
        topics={"nk-russia-arms": TopicScore(5.0, True, ["Korea Utara"])},
    )


def _rows_read(conn: psycopg.Connection, text: str, at: datetime) -> int:
    """The anchor rows the candidate lookup of this text reads (every posting within the window)."""
    row = conn.execute(
        "SELECT count(*) FROM article_anchors WHERE anchor = ANY(%s::bigint[]) AND at BETWEEN %s AND %s",
        (anchors(shingle_set(text)), at - WINDOW, at + WINDOW),
    ).fetchone()
    return int(row[0]) if row else 0


def cost(db: Database, texts: list[str]) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, mean anchor rows read, clusters formed) of storing every probe text once.

    The probes are removed afterwards, so every round and size stores into the same background.
    """
    samples, rows_read = [], []
    with db.connection() as conn:
        for number, text in enumerate(texts):
            article = _probe(number, text)
            assert article.published_at is not None
            rows_read.append(_rows_read(conn, text, article.published_at))
            started = time.perf_counter()
            store_article(conn, article)
            samples.append((time.perf_counter() - started) * 1000)
        row = conn.execute(
            "SELECT count(DISTINCT cluster_id) FROM articles WHERE site_article_id LIKE 'probe%'"
        ).fetchone()
        conn.execute("DELETE FROM articles WHERE site_article_id LIKE 'probe%'")
        conn.commit()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, statistics.mean(rows_read), int(row[0]) if row else 0


def archive_figures(url: str, sizes: list[int], per_day: int, texts: list[str]) -> None:
    """Store the probes into archives of each size (grown in place); print ms per story and ratios."""
    shared = sorted({a for text in texts for a in anchors(shingle_set(text))})
    print(f"\n{len(texts)} probe stories stored {ROUNDS} times per size; {per_day} background stories a day")
    print("ms per stored story (store_article: insert, anchors, candidates, comparison, cluster), medians")
    print(f"{'archive':>10} {'load s':>7} {'median ms':>10} {'p95 ms':>8} {'rows read':>10} {'clusters':>9}")
    baseline = None
    loaded = 0
    with Database(url, app_name="pantau-bench") as db:
        for size in sizes:
            started = time.perf_counter()
            fill(url, loaded, size, per_day, shared)
            load = time.perf_counter() - started
            loaded = size
            cost(db, texts[:10])  # warm-up: caches, plans
            rounds = [cost(db, texts) for _ in range(ROUNDS)]
            median = statistics.median(r[0] for r in rounds)
            p95 = statistics.median(r[1] for r in rounds)
            read, formed = rounds[-1][2], rounds[-1][3]
            baseline = baseline or median
            figures = f"{size:>10} {load:7.0f} {median:10.2f} {p95:8.2f} {read:10.1f} {formed:9}"
            print(f"{figures}  x{median / baseline:.2f} of the first size")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 200_000, 1_000_000])
    parser.add_argument("--per-day", type=int, default=1100)
    args = parser.parse_args()
    pairs = labelled_pairs()
    pair_figures(pairs)
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver  # type: ignore[import-untyped, unused-ignore]
        server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")  # type: ignore[attr-defined, unused-ignore]
        try:
            url = server.get_uri()
            with Database(url, app_name="pantau-bench") as db:
                migrate(db)
            archive_figures(url, sorted(args.sizes), args.per_day, _probe_texts(pairs))
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
