"""Story clusters: which stored stories are one story (a wire copy on another outlet, however edited).

A new story joins the cluster of an exact copy (same content hash), or of every story published
within WINDOW of it whose text contains most of its 4-word runs, or most of whose runs it contains
(pantau.base.fingerprints.resemblance). Candidates come only through the anchor index, bounded by
the window, so the cost per story stays flat as the archive grows (bench/clusters.py). A story that
matches stories of two clusters bridges them: they merge into the oldest. Stories stored before the
anchors existed are anchored and re-clustered once, oldest first, by `reanchor` (run by migrate).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pantau.base.fingerprints import anchors, resemblance, shingle_set
from pantau.storage.queries import clusters as q

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

WINDOW = timedelta(days=3)  # wire copies run within hours; a story "again" a week later is news again
SCHEME = 1  # articles.anchored: the anchor scheme a story is indexed with
MIN_SHARED_ANCHORS = 2  # copies share ~20; other stories on the same event a few at most
MAX_CANDIDATES = 12  # the texts compared per new story, most shared anchors first
REANCHOR_BATCH = 200


@dataclass(frozen=True)
class Clustered:
    """Where a story went: its cluster, and the copy it matched best (None: a story of its own)."""

    cluster_id: int
    copy_of: int | None


def cluster_story(
    conn: psycopg.Connection, article_id: int, body: str, at: datetime, text_hash: str
) -> Clustered:
    """Index a just-inserted story's anchors and put it in its cluster (merging the ones it bridges)."""
    own = shingle_set(body)
    own_anchors = anchors(own)
    copies = _copies(conn, article_id, own, own_anchors, at, text_hash)
    conn.execute(q.INSERT_ANCHORS, {"anchors": own_anchors, "at": at, "id": article_id})
    if not copies:
        conn.execute(q.SET_CLUSTER, {"cluster_id": article_id, "id": article_id, "scheme": SCHEME})
        return Clustered(article_id, None)
    into = min(cluster for _, cluster in copies)
    conn.execute(q.SET_CLUSTER, {"cluster_id": into, "id": article_id, "scheme": SCHEME})
    merged = sorted({cluster for _, cluster in copies} - {into})
    if merged:
        conn.execute(q.MERGE_CLUSTERS, {"into": into, "merged": merged})
        log.info("story %d bridges clusters %s: merged into %d", article_id, merged, into)
    return Clustered(into, copies[0][0])


def reanchor_story(conn: psycopg.Connection, article_id: int, body: str, at: datetime) -> None:
    """A stored story's text or date changed: index its new anchors (its cluster stays)."""
    conn.execute(q.DELETE_ANCHORS, {"id": article_id})
    conn.execute(q.INSERT_ANCHORS, {"anchors": anchors(shingle_set(body)), "at": at, "id": article_id})


def _copies(
    conn: psycopg.Connection,
    article_id: int,
    own: frozenset[int],
    own_anchors: list[int],
    at: datetime,
    text_hash: str,
) -> list[tuple[int, int]]:
    """(id, cluster) of the stored stories that are this story, best match first."""
    exact = conn.execute(
        q.EXACT_COPY, {"content_hash": text_hash, "id": article_id, "scheme": SCHEME}
    ).fetchone()
    found: list[tuple[float, int, int]] = [(2.0, int(exact[0]), int(exact[1]))] if exact else []
    if own_anchors:
        params = {
            "anchors": own_anchors,
            "since": at - WINDOW,
            "until": at + WINDOW,
            "id": article_id,
            "min_shared": MIN_SHARED_ANCHORS,
            "limit": MAX_CANDIDATES,
        }
        ids = [int(row[0]) for row in conn.execute(q.COPY_CANDIDATES, params)]
        for other_id, cluster, body in conn.execute(q.CANDIDATE_TEXTS, {"ids": ids}) if ids else []:
            measured = resemblance(own, shingle_set(str(body)))
            if measured.same_story:
                found.append((measured.containment, int(other_id), int(cluster)))
    found.sort(key=lambda f: (-f[0], f[1]))
    return [(other_id, cluster) for _, other_id, cluster in found]


def pending(conn: psycopg.Connection) -> int:
    """How many stored stories still need anchors (stored before migration 0020)."""
    row = conn.execute(q.COUNT_UNANCHORED, {"scheme": SCHEME}).fetchone()
    return int(row[0]) if row else 0


def reanchor(conn: psycopg.Connection, *, batch: int = REANCHOR_BATCH) -> int:
    """Anchor and re-cluster every story stored before the anchors, oldest first; how many.

    Each batch is its own transaction, so an interrupted run resumes where it stopped. Processing
    in id order gives the clusters the store would have built had the anchors always existed.
    """
    total = pending(conn)
    if not total:
        return 0
    log.info("clustering %d stories stored before the story anchors (once; resumable)", total)
    done = 0
    while True:
        with conn.transaction():
            rows = conn.execute(q.UNANCHORED, {"scheme": SCHEME, "limit": batch}).fetchall()
            for article_id, body, at, text_hash in rows:
                cluster_story(conn, int(article_id), str(body), at, str(text_hash))
        done += len(rows)
        if len(rows) < batch:
            break
        log.info("clustered %d of %d earlier stories", done, total)
    log.info("clustered %d earlier stories", done)
    return done
