"""Story clusters: the measure on the labelled pairs, and clusters in a real archive (PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from pantau.base.fingerprints import resemblance, shingle_set
from pantau.storage import clusters
from pantau.storage.articles import store_article
from pantau.storage.db import Database
from pantau.storage.migrate import available, migrate
from pantau.storage.queries import clusters as q
from pantau.storage.queries import schema
from tests.storage import story_pairs as pairs
from tests.storage import story_texts as t
from tests.support.articles import build_article
from tests.support.database import create_database

T0 = datetime(2024, 6, 19, 9, 0, tzinfo=UTC)


# --- the measure, on the labelled pairs (pure) ----------------------------------------------------


@pytest.mark.parametrize("pair", pairs.labelled_pairs(), ids=lambda p: p.name)
def test_each_labelled_pair_is_decided_right(pair):
    measured = resemblance(shingle_set(pair.a), shingle_set(pair.b))
    assert measured.same_story == pair.same, measured


def test_the_set_has_every_kind_of_pair():
    kinds = [p.kind for p in pairs.labelled_pairs()]
    assert kinds.count("wire") >= 50
    assert kinds.count("same_event") >= 5
    assert kinds.count("same_actors") >= 5


def test_the_margins_are_wide():
    # Copies keep most of the smaller text's runs; other stories share a handful (names, a quote).
    measured = [(p, resemblance(shingle_set(p.a), shingle_set(p.b))) for p in pairs.labelled_pairs()]
    assert min(r.containment for p, r in measured if p.same) > 0.6
    assert max(r.containment for p, r in measured if not p.same) < 0.2


# --- clusters in the archive ----------------------------------------------------------------------


def story(number: int, site: str, text: str, published_at: datetime, **fields):
    article = build_article(number, site=site, site_article_id=f"{site}-{number}", text=text, **fields)
    article.published_at = published_at
    return article


@pytest.fixture
def conn(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("TRUNCATE articles CASCADE")
        yield connection


def cluster_of(conn, article_id):
    return conn.execute("SELECT cluster_id FROM articles WHERE id = %s", (article_id,)).fetchone()[0]


def test_the_issue_case_joins_the_okezone_story(conn):
    okezone = store_article(conn, story(1, "okezone", t.WIRE_PACT, T0))
    bisnis = store_article(
        conn, story(2, "bisnis", pairs.the_issue_case(t.WIRE_PACT), T0 + timedelta(hours=3))
    )
    assert okezone.cluster_id == okezone.article_id
    assert bisnis.cluster_id == okezone.article_id
    assert bisnis.duplicate_of == okezone.article_id


def test_reports_by_other_reporters_and_other_events_stay_apart(conn):
    wire = store_article(conn, story(1, "okezone", t.WIRE_PACT, T0))
    report = store_article(conn, story(2, "kompas", pairs.REPORT_PACT_QUOTING, T0 + timedelta(hours=1)))
    other = store_article(conn, story(3, "detik", t.OTHER_SUMMIT, T0 + timedelta(hours=2)))
    assert len({wire.cluster_id, report.cluster_id, other.cluster_id}) == 3
    assert report.duplicate_of is None


def test_a_copy_outside_the_window_is_a_story_of_its_own(conn):
    first = store_article(conn, story(1, "okezone", t.WIRE_KURSK, T0))
    later = store_article(conn, story(2, "bisnis", pairs.reword(t.WIRE_KURSK), T0 + timedelta(days=4)))
    assert later.cluster_id == later.article_id != first.cluster_id


def test_a_story_bridging_two_clusters_merges_them_into_the_oldest(conn):
    wire = t.WIRE_PACT.split("\n")
    report = t.REPORT_PACT.split("\n")
    first = store_article(conn, story(1, "okezone", "\n".join(wire), T0))
    second = store_article(conn, story(2, "detik", "\n".join(report), T0 + timedelta(hours=1)))
    assert first.cluster_id != second.cluster_id
    # A roundup that carries most of both stories: a copy of each.
    roundup = store_article(conn, story(3, "kompas", "\n".join(wire[:6] + report), T0 + timedelta(hours=5)))
    assert roundup.cluster_id == first.cluster_id
    assert cluster_of(conn, second.article_id) == first.cluster_id


def test_an_updated_story_is_found_by_its_new_text(conn):
    first = store_article(conn, story(1, "okezone", t.OTHER_SHOIGU, T0))
    store_article(conn, story(1, "okezone", t.WIRE_KURSK, T0))  # the site replaced the text
    copy = store_article(conn, story(2, "bisnis", pairs.drop_last(t.WIRE_KURSK), T0 + timedelta(hours=2)))
    assert copy.cluster_id == first.cluster_id


def test_exact_copies_cluster_whatever_their_dates(conn):
    first = store_article(conn, story(1, "okezone", t.OTHER_BELOUSOV, T0))
    again = store_article(conn, story(2, "kompas", t.OTHER_BELOUSOV, T0 + timedelta(days=30)))
    assert again.cluster_id == first.cluster_id


def test_the_copy_lookup_is_index_backed(conn):
    store_article(conn, story(1, "okezone", t.WIRE_PACT, T0))
    conn.execute(
        """INSERT INTO article_anchors (anchor, at, article_id)
           SELECT (i * 7919)::bigint, %s::timestamptz + (i %% 1000) * interval '1 hour', a.id
           FROM generate_series(1, 20000) AS i, (SELECT min(id) AS id FROM articles) a""",
        (T0,),
    )
    conn.execute("ANALYZE article_anchors")
    params = {
        "anchors": list(range(0, 400_000, 7919)),
        "since": T0,
        "until": T0 + timedelta(days=6),
        "id": -1,
        "min_shared": 2,
        "limit": 12,
    }
    plan = conn.execute("EXPLAIN (FORMAT JSON) " + q.COPY_CANDIDATES, params).fetchone()[0][0]["Plan"]
    nodes = list(_nodes(plan))
    assert "Seq Scan" not in {n["Node Type"] for n in nodes}, json.dumps(plan)[:1500]
    assert "article_anchors_pkey" in {n.get("Index Name") for n in nodes}


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


# --- an archive from before the anchors -----------------------------------------------------------

OLD_INSERT = """
INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, published_at,
                      content_hash, simhash, cluster_id)
VALUES (%s, %s, %s, %s, 'Judul', %s, %s, md5(%s), 0, NULL) RETURNING id
"""


def test_an_archive_from_before_migration_0020_is_clustered_once(pg_admin_url):
    url = create_database(pg_admin_url, "t_clusters_upgrade")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema.CREATE_VERSION_TABLE)
        for migration in available():
            if migration.version < 20:
                conn.execute(migration.sql.encode())
                conn.execute(schema.RECORD_VERSION, (migration.version, migration.name))
        texts = [t.WIRE_PACT, t.REPORT_PACT, pairs.the_issue_case(t.WIRE_PACT), t.WIRE_KURSK]
        ids = []
        for n, text in enumerate(texts):
            row = conn.execute(OLD_INSERT, ("detik", n, f"https://x/{n}", f"https://x/{n}", text, T0, text))
            ids.append(row.fetchone()[0])
        conn.execute("UPDATE articles SET cluster_id = id")  # what the SimHash store had decided
    with Database(url, app_name="pantau-test") as database:
        migrate(database)
        with database.connection() as conn:
            found = dict(conn.execute("SELECT id, cluster_id FROM articles").fetchall())
            assert clusters.pending(conn) == 0
            assert clusters.reanchor(conn) == 0  # done once
    assert found == {ids[0]: ids[0], ids[1]: ids[1], ids[2]: ids[0], ids[3]: ids[3]}
