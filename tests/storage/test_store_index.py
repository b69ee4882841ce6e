"""The near-duplicate lookup goes through the band indexes, not a scan, on a 20,000-row archive."""

from __future__ import annotations

import json
import time

import pytest

from pantau.base.fingerprints import simhash
from pantau.storage.articles import NEAR_DUPLICATE_DISTANCE, lookup_params, store_article
from pantau.storage.queries import articles as q
from tests.support.articles import build_article

ROWS = 20_000

# Random fingerprints from md5 of the row number; bodies short but distinct.
FILL = """
INSERT INTO articles (
    site, site_article_id, canonical_url, url, title, body, content_hash, simhash, cluster_id)
SELECT 'detik', 'd-' || i, 'https://news.detik.com/x/d-' || i, 'https://news.detik.com/x/d-' || i,
       'Judul ' || i, 'Isi berita nomor ' || i, md5(i::text),
       ('x' || substr(md5('s' || i), 1, 16))::bit(64)::bigint, NULL
FROM generate_series(1, %s) AS i
"""


@pytest.fixture(scope="module")
def filled(db):
    with db.connection() as conn:
        conn.execute(FILL, (ROWS,))
        conn.execute("UPDATE articles SET cluster_id = id")
        conn.execute("ANALYZE articles")
    return db


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def explain(conn, max_distance):
    params = lookup_params(simhash("Kim Jong Un bertemu Putin di Vostochny"), "0" * 64, max_distance)
    row = conn.execute(
        "EXPLAIN (FORMAT JSON) " + q.FIND_CLUSTER, {**params, "article_id": -1, "max_distance": max_distance}
    ).fetchone()
    return list(plan_nodes(row[0][0]["Plan"]))


@pytest.mark.parametrize("max_distance", [3, NEAR_DUPLICATE_DISTANCE])
def test_lookup_uses_the_band_and_hash_indexes(filled, max_distance):
    with filled.connection() as conn:
        nodes = explain(conn, max_distance)
    types = {n["Node Type"] for n in nodes}
    indexes = {n.get("Index Name") for n in nodes}
    assert "Seq Scan" not in types, json.dumps(nodes, indent=1)[:2000]
    assert {f"articles_simhash_b{b}_idx" for b in range(4)} <= indexes
    assert "articles_content_hash_idx" in indexes


def test_candidates_per_lookup_are_few_and_a_store_is_fast(filled):
    # Expected candidates: 4 bands x 17 probes x 20,000 / 65,536 ~ 21 at distance 7 (4 x 0.3 at 3).
    with filled.connection() as conn:
        counts = []
        for n in range(50):
            params = lookup_params(
                simhash(f"cerita acak nomor {n} tentang Korea Utara"), "-", NEAR_DUPLICATE_DISTANCE
            )
            counts.append(conn.execute(q.COUNT_CANDIDATES, params).fetchone()[0])
        started = time.perf_counter()
        for n in range(50):
            store_article(
                conn, build_article(500_000 + n, text=f"Isi unik nomor {n}: Kim bertemu Putin lagi.")
            )
        per_store_ms = (time.perf_counter() - started) * 1000 / 50
    mean = sum(counts) / len(counts)
    print(f"candidates per lookup at {ROWS} rows: mean {mean:.1f}, max {max(counts)}")
    print(f"store_article: {per_store_ms:.1f} ms per new article")
    assert mean < 60
    assert per_store_ms < 100  # generous: a scan-free store takes a few ms even on a slow CI box
