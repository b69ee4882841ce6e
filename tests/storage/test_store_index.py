"""The near-duplicate lookup goes through the band indexes, not a scan, on a 20,000-row archive."""

from __future__ import annotations

import json

import pytest

from pantau.base.fingerprints import simhash
from pantau.storage.articles import NEAR_DUPLICATE_DISTANCE, lookup_params, store_article
from pantau.storage.queries import articles as q
from tests.support.articles import build_article, fill_fingerprints

ROWS = 20_000


@pytest.fixture(scope="module")
def filled(db):
    with db.connection() as conn:
        fill_fingerprints(conn, ROWS)
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


def test_candidates_per_lookup_are_few_and_a_store_reads_no_table_scan(filled):
    # Expected candidates: 4 bands x 17 probes x 20,000 / 65,536 ~ 21 at distance 7 (4 x 0.3 at 3).
    # How long a store takes at this size is bench/store.py's to measure; here: the work it does.
    with filled.connection() as conn:
        counts = []
        for n in range(50):
            params = lookup_params(
                simhash(f"cerita acak nomor {n} tentang Korea Utara"), "-", NEAR_DUPLICATE_DISTANCE
            )
            counts.append(conn.execute(q.COUNT_CANDIDATES, params).fetchone()[0])
        with conn.transaction():  # pg_stat_xact_* counts what this transaction did so far
            for n in range(50):
                store_article(
                    conn, build_article(500_000 + n, text=f"Isi unik nomor {n}: Kim bertemu Putin lagi.")
                )
            seq_scans, seq_rows, index_rows = conn.execute(
                "SELECT seq_scan, seq_tup_read, idx_tup_fetch FROM pg_stat_xact_user_tables"
                " WHERE relname = 'articles'"
            ).fetchone()
    mean = sum(counts) / len(counts)
    print(f"candidates per lookup at {ROWS} rows: mean {mean:.1f}, max {max(counts)}")
    print(f"50 stores: {seq_scans} table scans, {index_rows} rows read through indexes")
    assert mean < 60
    assert (seq_scans, seq_rows) == (0, 0)  # not one row of the 20,000 read by a scan
    assert index_rows < 50 * 60  # each store reads about as many rows as a lookup has candidates
