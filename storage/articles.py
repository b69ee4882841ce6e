"""The article store: one transaction per article, idempotent upserts, versions and story clusters.

Identity is the canonical URL and the site's own article id. A known article whose text changed
becomes an update (its previous text kept in article_versions), never a new story. A new article
joins the story cluster of its copies on other outlets, or starts one (pantau.storage.clusters).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from psycopg import errors
from psycopg.rows import dict_row

from pantau.base.fingerprints import content_hash, simhash
from pantau.storage.clusters import cluster_story, reanchor_story
from pantau.storage.queries import articles as q

if TYPE_CHECKING:
    import psycopg

    from pantau.base.models import Article

# Control characters other than newline and tab never reach the archive.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")

Outcome = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class StoreResult:
    """What storing one article did: its row, whether it was new/updated/unchanged, its cluster."""

    article_id: int
    outcome: Outcome
    cluster_id: int
    duplicate_of: int | None = None  # the article a new article clustered with, if any


def clean(text: str) -> str:
    """The text without control characters (\\x00-\\x1f except newline and tab)."""
    return _CONTROL.sub("", text)


def _row_values(article: Article) -> dict[str, Any]:
    body = clean(article.text)
    title = clean(article.title).strip()
    if not title or not body.strip():
        missing = "title" if not title else "body"
        raise ValueError(f"article {article.canonical_url} has an empty {missing}; it cannot be stored")
    pages = [article.html, *article.extra_pages]
    return {
        "site": article.site,
        "site_article_id": article.site_article_id,
        "canonical_url": article.canonical_url,
        "url": article.url,
        "title": title,
        "lead": clean(article.lead) if article.lead else None,
        "body": body,
        "authors": [clean(a) for a in article.authors],
        "section": clean(article.section) if article.section else None,
        "tags": [clean(t) for t in article.tags],
        "published_at": article.published_at,
        "date_source": article.date_source,
        "language": article.language,
        "language_prob": article.language_prob,
        "content_hash": article.content_hash or content_hash(body),
        "simhash": article.simhash or simhash(body),
        "backfilled": article.backfilled,
        "site_summary": [clean(point) for point in article.site_summary],
        # Pages 2..N of a paged article follow page 1, each after a marker comment.
        "raw_html": zlib.compress(
            "".join(
                p if i == 0 else f"\n<!-- pantau:page {i + 1} -->\n{p}" for i, p in enumerate(pages)
            ).encode("utf-8", "replace")
        ),
    }


@contextmanager
def _named(query: str) -> Iterator[None]:
    """A statement or lock timeout says which named query it stopped (no hang, no anonymous error)."""
    try:
        yield
    except (errors.QueryCanceled, errors.LockNotAvailable) as exc:
        raise type(exc)(f"{query} ({q.__name__}): {str(exc).splitlines()[0]}") from exc


def _execute(conn: psycopg.Connection, query: str, params: Any) -> psycopg.Cursor[Any]:
    """conn.execute of the named query `q.<query>`, its timeouts named (see _named)."""
    with _named(query):
        return conn.execute(getattr(q, query), params)


def _insert_new(conn: psycopg.Connection, values: dict[str, Any]) -> StoreResult | None:
    row = _execute(conn, "INSERT_ARTICLE", values).fetchone()
    if row is None:
        return None  # known already (by canonical URL or site id)
    article_id, at = int(row[0]), row[1]
    with _named("cluster_story"):
        placed = cluster_story(conn, article_id, values["body"], at, values["content_hash"])
    return StoreResult(article_id, "new", placed.cluster_id, duplicate_of=placed.copy_of)


def _update_known(conn: psycopg.Connection, values: dict[str, Any]) -> StoreResult:
    known = _execute(conn, "LOCK_KNOWN_ARTICLE", values).fetchone()
    if known is None:  # deleted between the insert and this read: let the caller retry
        raise LookupError(f"article {values['canonical_url']} vanished while being stored; retry")
    article_id, old_hash, old_title, cluster_id, _version = known
    if old_hash == values["content_hash"] and old_title == values["title"]:
        _execute(conn, "TOUCH_ARTICLE", {"id": article_id})
        return StoreResult(article_id, "unchanged", cluster_id)
    _execute(conn, "KEEP_VERSION", {"id": article_id})
    row = _execute(conn, "UPDATE_ARTICLE", {**values, "id": article_id}).fetchone()
    with _named("reanchor_story"):
        reanchor_story(conn, article_id, values["body"], row[0] if row else values["published_at"])
    return StoreResult(article_id, "updated", cluster_id)


def _write_topics(conn: psycopg.Connection, article_id: int, article: Article) -> None:
    rows = [
        {
            "article_id": article_id,
            "topic": topic,
            "score": score.score,
            "on_topic": score.on_topic,
            "matched_terms": json.dumps(score.matched_terms, ensure_ascii=False),
            "fingerprint": score.fingerprint,
        }
        for topic, score in sorted(article.topics.items())
    ]
    if rows:
        with conn.cursor() as cur, _named("UPSERT_TOPIC"):
            cur.executemany(q.UPSERT_TOPIC, rows)


def store_article(conn: psycopg.Connection, article: Article) -> StoreResult:
    """Store one article in its own transaction: insert (clustered), update (keeping the old text) or touch.

    Also upserts its topic scores and marks its discovered URL 'stored', all or nothing.
    Raises ValueError for an article without title or body, psycopg errors when the database fails.
    """
    values = _row_values(article)
    with conn.transaction():
        result = _insert_new(conn, values) or _update_known(conn, values)
        _write_topics(conn, result.article_id, article)
        _execute(conn, "MARK_DISCOVERED_STORED", {"canonical_url": article.canonical_url})
    return result


def known_urls(conn: psycopg.Connection, canonical_urls: Sequence[str]) -> set[str]:
    """Which of these canonical URLs are already stored in `articles`."""
    if not canonical_urls:
        return set()
    rows = conn.execute(q.KNOWN_URLS, {"urls": list(canonical_urls)}).fetchall()
    return {str(r[0]) for r in rows}


def get_article(conn: psycopg.Connection, article_id: int) -> dict[str, Any] | None:
    """One stored article as a dict (raw_html decompressed to `html`, topics under `topics`)."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(q.GET_ARTICLE, {"id": article_id}).fetchone()
        if row is None:
            return None
        raw = row.pop("raw_html")
        row["html"] = zlib.decompress(raw).decode("utf-8") if raw is not None else None
        topics = cur.execute(q.ARTICLE_TOPICS, {"id": article_id}).fetchall()
    row["topics"] = {t.pop("topic"): t for t in topics}
    return row
