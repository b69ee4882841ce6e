"""`pantau export`: every stored field, the same filters, streamed through a server-side cursor."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pantau.storage.search import Filters, export_rows
from tests.support.archive import TOPIC

BULK = 5000
# 5,000 generated stories on top of the seed, each scored against the topic.
BULK_INSERT = """
INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, published_at,
                      language, content_hash, simhash)
SELECT 'kompas', 'bulk-' || n, 'https://www.kompas.com/read/bulk/' || n,
       'https://www.kompas.com/read/bulk/' || n || '?page=all',
       'Laporan ' || n || ' tentang amunisi', 'Kiriman amunisi nomor ' || n || ' tiba di pelabuhan.',
       timestamptz '2022-01-01 00:00+07' + n * interval '1 minute', 'id', md5(n::text), n
FROM generate_series(1, %(n)s) AS n
"""
BULK_TOPICS = """
INSERT INTO article_topics (article_id, topic, score, on_topic, matched_terms)
SELECT id, %(topic)s, 4.0, true, '["amunisi"]' FROM articles WHERE site_article_id LIKE 'bulk-%%'
"""


@pytest.fixture(scope="module")
def bulk(db, archive):
    with db.connection() as conn, conn.transaction():
        conn.execute(BULK_INSERT, {"n": BULK})
        conn.execute(BULK_TOPICS, {"topic": TOPIC})


def test_jsonl_has_every_field_and_topics(pantau, archive):
    result = pantau("export", "--format", "jsonl", "--site", "okezone", "--since", "2025-01")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == archive["pasokan"]
    assert record["url"].startswith("https://news.okezone.com/")
    assert record["site"] == "okezone"
    assert record["title"].startswith("Korea Utara Kirim Persenjataan")
    assert "Citra satelit" in record["text"]
    assert record["published_at"] == "2025-01-31T23:30:00+07:00"
    assert record["language"] == "id"
    assert record["cluster_id"] == archive["pasokan"]
    assert record["version"] == 2
    assert record["site_summary"] == []  # only Bisnis has its own summary box
    assert record["topics"] == {
        TOPIC: {
            "score": 7.5,
            "on_topic": True,
            "matched_terms": ["Korea Utara", "Rusia", "persenjataan", "amunisi"],
        }
    }
    assert "raw_html" not in record
    assert "exported 1 stories" in result.stderr


def test_export_with_query_and_csv(pantau, archive, tmp_path):
    out = tmp_path / "amunisi.csv"
    result = pantau("export", "amunisi", "--until", "2025-12-31", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {int(r["id"]) for r in rows} == {
        archive[k] for k in ("pasokan", "pasokan-detik", "pasokan-kompas")
    }
    assert json.loads(rows[0]["topics"])[TOPIC]["on_topic"] is True
    assert rows[0]["authors"] == "Assyifa Eka Putri"


def test_export_of_nothing(pantau):
    result = pantau("export", "zeppelin")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no stories match" in result.stderr


def test_export_bad_query_fails_before_writing(pantau, tmp_path):
    result = pantau("export", "--", "-amunisi")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "only excludes words" in result.stderr


def test_bulk_export_streams_through_a_named_cursor(db, bulk):
    with db.connection() as conn:
        rows = export_rows(conn, Filters(query="amunisi", since=None), itersize=100)
        first = next(rows)
        # While the export is under way, its server-side cursor is open in the session.
        with conn.cursor() as probe:
            cursors = probe.execute("SELECT name, is_holdable FROM pg_cursors").fetchall()
        assert ("pantau_export", False) in cursors
        rest = list(rows)
    ids = [first["id"], *(row["id"] for row in rest)]
    assert len(ids) == len(set(ids)) == BULK + 3
    bulk_rows = [row for row in [first, *rest] if row["site_article_id"].startswith("bulk-")]
    assert [row["simhash"] for row in bulk_rows] == list(range(1, BULK + 1))  # oldest first


def test_bulk_export_through_the_cli(pantau, bulk):
    result = pantau("export", "amunisi", "--topic", TOPIC, "--format", "jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == BULK + 3
    assert all(json.loads(line)["topics"][TOPIC]["on_topic"] for line in lines)
    rows = list(csv.DictReader(io.StringIO(pantau("export", "amunisi", "--format", "csv").stdout)))
    assert len(rows) == BULK + 3
