"""Reprocessing in the archive: stale scores, keyset batches of stories, batched score writes.

Reads run in the caller's autocommit connection; `write_scores` and `update_extracted` belong in
the caller's transaction (one per batch), so an interrupted run loses at most its current batch.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from psycopg.rows import class_row

from pantau.storage.queries import reprocess as q

if TYPE_CHECKING:
    import psycopg

# How storage.articles joins pages 2..N of a story after page 1.
_PAGE_MARKER = re.compile(r"\n<!-- pantau:page \d+ -->\n")


@dataclass(frozen=True)
class StoryText:
    """What scoring reads of a stored story."""

    id: int
    title: str
    body: str
    content_hash: str


@dataclass(frozen=True)
class OldScore:
    """A stored score of one story for one topic."""

    article_id: int
    topic: str
    score: float
    on_topic: bool
    fingerprint: str | None


@dataclass(frozen=True)
class NewScore:
    """A score to write, computed on the text whose content hash it names."""

    article_id: int
    topic: str
    score: float
    on_topic: bool
    matched_terms: list[str]
    fingerprint: str
    content_hash: str


@dataclass(frozen=True)
class StoredPage:
    """A stored story with what extraction produced when it was stored, and its raw pages."""

    id: int
    site: str
    url: str
    canonical_url: str
    title: str
    lead: str | None
    body: str
    published_at: datetime | None
    date_source: str | None
    language: str | None
    language_prob: float | None
    first_seen_at: datetime
    raw_html: bytes

    def pages(self) -> list[str]:
        """Page 1 and pages 2..N of the story, as fetched."""
        return _PAGE_MARKER.split(zlib.decompress(self.raw_html).decode("utf-8", "replace"))


def _topic_params(fingerprints: dict[str, str], since: datetime | None) -> dict[str, Any]:
    names = sorted(fingerprints)
    return {"topics": names, "fingerprints": [fingerprints[n] for n in names], "since": since}


def count_stale(conn: psycopg.Connection, fingerprints: dict[str, str], since: datetime | None) -> int:
    """How many stories (published since `since`, if given) carry a stale score of these topics."""
    row = conn.execute(q.COUNT_STALE, _topic_params(fingerprints, since)).fetchone()
    return int(row[0]) if row else 0


def stale_by_topic(conn: psycopg.Connection, fingerprints: dict[str, str]) -> dict[str, int]:
    """Per topic (name -> current fingerprint): how many stories carry a stale score or none."""
    rows = conn.execute(q.STALE_BY_TOPIC, _topic_params(fingerprints, None)).fetchall()
    return {str(topic): int(count) for topic, count in rows}


def stale_batch(
    conn: psycopg.Connection, fingerprints: dict[str, str], *, after: int, since: datetime | None, limit: int
) -> list[StoryText]:
    """The next `limit` stories after id `after` with a stale score, by id."""
    params = {**_topic_params(fingerprints, since), "after": after, "limit": limit}
    with conn.cursor(row_factory=class_row(StoryText)) as cur:
        return cur.execute(q.STALE_BATCH, params).fetchall()


def batch_scores(
    conn: psycopg.Connection, ids: Sequence[int], topics: Sequence[str]
) -> dict[tuple[int, str], OldScore]:
    """The stored scores of these stories for these topics, by (article id, topic)."""
    with conn.cursor(row_factory=class_row(OldScore)) as cur:
        rows = cur.execute(q.BATCH_SCORES, {"ids": list(ids), "topics": list(topics)}).fetchall()
    return {(row.article_id, row.topic): row for row in rows}


def write_scores(conn: psycopg.Connection, scores: Sequence[NewScore], now: datetime) -> None:
    """Upsert the scores in one statement (caller's transaction); a story changed meanwhile is skipped."""
    if not scores:
        return
    conn.execute(
        q.WRITE_SCORES,
        {
            "now": now,
            "ids": [s.article_id for s in scores],
            "topics": [s.topic for s in scores],
            "scores": [s.score for s in scores],
            "on_topic": [s.on_topic for s in scores],
            "terms": [json.dumps(s.matched_terms, ensure_ascii=False) for s in scores],
            "fingerprints": [s.fingerprint for s in scores],
            "hashes": [s.content_hash for s in scores],
        },
    )


def count_raw(conn: psycopg.Connection, sites: Sequence[str], since: datetime | None) -> int:
    """How many stored stories of these sites (published since `since`) kept their raw HTML."""
    row = conn.execute(q.COUNT_RAW, {"sites": list(sites), "since": since}).fetchone()
    return int(row[0]) if row else 0


def raw_batch(
    conn: psycopg.Connection, sites: Sequence[str], *, after: int, since: datetime | None, limit: int
) -> list[StoredPage]:
    """The next `limit` stored stories of these sites after id `after` that kept their raw HTML."""
    params = {"sites": list(sites), "after": after, "since": since, "limit": limit}
    with conn.cursor(row_factory=class_row(StoredPage)) as cur:
        return cur.execute(q.RAW_BATCH, params).fetchall()


def update_extracted(conn: psycopg.Connection, article_id: int, values: dict[str, Any]) -> None:
    """Store a story's new extraction in place: no version, no update time (caller's transaction)."""
    conn.execute(q.UPDATE_EXTRACTED, {**values, "id": article_id})
