"""Articles as the pipelines hand them to the store, for the pipeline, storage and fault tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg

from pantau.base.models import Article, TopicScore

DEFAULT_BODY = (
    "Pemimpin Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di Kosmodrom Vostochny.\n"
    "Kedua pemimpin membahas kerja sama militer, termasuk kemungkinan pasokan amunisi artileri."
)


def build_article(number: int = 1, **overrides: Any) -> Article:
    """An Article as the pipelines hand it to the store; `number` makes URL and site id unique."""
    values: dict[str, Any] = {
        "site": "okezone",
        "url": f"https://news.okezone.com/read/2023/09/13/18/{number}/berita?page=all",
        "canonical_url": f"https://news.okezone.com/read/2023/09/13/18/{number}/berita",
        "site_article_id": str(number),
        "html": f"<html><body><h1>Berita {number}</h1><p>{DEFAULT_BODY}</p></body></html>",
        "fetched_at": datetime(2023, 9, 13, 12, 0, tzinfo=UTC),
        "title": f"Kim Jong Un dan Putin bertemu ({number})",
        "text": DEFAULT_BODY,
        "published_at": datetime(2023, 9, 13, 11, 0, tzinfo=UTC),
        "language": "id",
        "topics": {"nk-russia-arms": TopicScore(0.9, True, ["Kim Jong Un", "amunisi"])},
    }
    values.update(overrides)
    return Article(**values)


# Random fingerprints from md5 of the row number; bodies short but distinct.
FILL = """
INSERT INTO articles (
    site, site_article_id, canonical_url, url, title, body, content_hash, simhash, cluster_id)
SELECT 'detik', 'd-' || i, 'https://news.detik.com/x/d-' || i, 'https://news.detik.com/x/d-' || i,
       'Judul ' || i, 'Isi berita nomor ' || i, md5(i::text),
       ('x' || substr(md5('s' || i), 1, 16))::bit(64)::bigint, NULL
FROM generate_series(1, %s) AS i
"""


def fill_fingerprints(conn: psycopg.Connection, rows: int) -> None:
    """Add `rows` detik stories with random fingerprints, each its own cluster, and ANALYZE."""
    conn.execute(FILL, (rows,))
    conn.execute("UPDATE articles SET cluster_id = id WHERE cluster_id IS NULL")
    conn.execute("ANALYZE articles")
