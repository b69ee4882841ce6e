"""The digest outbox in the archive: periods, the stories chosen for them, and per-recipient deliveries.

Functions take a connection and run inside the caller's transaction, except the claim and the
outcome marks of a delivery, which the caller runs in autocommit so each is committed on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from psycopg.rows import class_row

from pantau.storage.queries import digests as q

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Candidate:
    """An article that may enter a digest: its story (cluster), best topic score and date."""

    id: int
    cluster: int
    score: float
    published_at: datetime | None


@dataclass(frozen=True)
class EntryRow:
    """What one digest entry shows about its article."""

    id: int
    site: str
    title: str
    canonical_url: str
    lead: str | None
    body: str
    published_at: datetime | None
    also_sites: list[str]  # the story's other outlets, earliest first
    also_times: list[datetime | None]  # when each published it
    terms: list[str]


@dataclass(frozen=True)
class Claimed:
    """A delivery this process has claimed (status 'sending', committed) and must now send."""

    id: int
    digest_id: int
    recipient: str
    attempts: int
    message_id: str


@dataclass(frozen=True)
class StoredDigest:
    """A digest's rendered message, as stored when it was built."""

    id: int
    subscription: str
    subject: str
    body_text: str
    body_html: str
    created_at: datetime


def upsert_subscription(conn: psycopg.Connection, name: str, settings: dict[str, Any], now: datetime) -> None:
    """Mirror one configured subscription into the archive (created_at is when it first appeared)."""
    conn.execute(q.UPSERT_SUBSCRIPTION, {"name": name, "settings": json.dumps(settings), "now": now})


def subscription_created_at(conn: psycopg.Connection, name: str) -> datetime:
    """When the subscription first appeared in the archive."""
    row = conn.execute(q.SUBSCRIPTION_CREATED_AT, (name,)).fetchone()
    if row is None:
        raise LookupError(f"subscription {name!r} is not in the archive; sync subscriptions first")
    created: datetime = row[0]
    return created


def last_period_end(conn: psycopg.Connection, subscription: str) -> datetime | None:
    """The end of the subscription's latest digest period, or None before its first digest."""
    row = conn.execute(q.LAST_PERIOD_END, (subscription,)).fetchone()
    return row[0] if row else None


def insert_digest(
    conn: psycopg.Connection, subscription: str, start: datetime, end: datetime, now: datetime
) -> int | None:
    """Create the digest row of a period; None when it already exists (built by someone else)."""
    params = {"subscription": subscription, "start": start, "end": end, "now": now}
    row = conn.execute(q.INSERT_DIGEST, params).fetchone()
    return int(row[0]) if row else None


_CANDIDATES = {"new": q.NEW_CANDIDATES, "updated": q.UPDATED_CANDIDATES, "rescored": q.RESCORED_CANDIDATES}


def candidates(
    conn: psycopg.Connection, params: dict[str, Any], *, updated: bool = False, kind: str = "new"
) -> list[Candidate]:
    """On-topic articles of a period, one row per article: new, changed (`updated`) or `kind` rescored."""
    query = _CANDIDATES["updated" if updated else kind]
    with conn.cursor(row_factory=class_row(Candidate)) as cur:
        return cur.execute(query, params).fetchall()


def insert_item(
    conn: psycopg.Connection,
    digest_id: int,
    candidate: Candidate,
    rank: int,
    *,
    updated: bool,
    rescored: bool = False,
) -> None:
    """Record one story of a digest."""
    conn.execute(
        q.INSERT_ITEM,
        {
            "digest_id": digest_id,
            "article_id": candidate.id,
            "cluster_id": candidate.cluster,
            "rank": rank,
            "updated": updated,
            "rescored": rescored,
        },
    )


def entry_rows(
    conn: psycopg.Connection, ids: list[int], topics: list[str], end: datetime
) -> dict[int, EntryRow]:
    """What each entry shows, by article id."""
    with conn.cursor(row_factory=class_row(EntryRow)) as cur:
        rows = cur.execute(q.ENTRY_DETAILS, {"ids": ids, "topics": topics, "end": end}).fetchall()
    return {row.id: row for row in rows}


def set_content(conn: psycopg.Connection, digest_id: int, **content: Any) -> None:
    """Store a digest's rendered subject, bodies, Message-ID and status."""
    conn.execute(q.SET_DIGEST_CONTENT, {"id": digest_id, **content})


def add_delivery(
    conn: psycopg.Connection, digest_id: int, recipient: str, message_id: str, now: datetime
) -> None:
    """Queue the digest for one recipient."""
    params = {"digest_id": digest_id, "recipient": recipient, "message_id": message_id, "now": now}
    conn.execute(q.INSERT_DELIVERY, params)


def sweep_leases(conn: psycopg.Connection, now: datetime, older_than: datetime) -> list[int]:
    """Return deliveries stuck in 'sending' since before `older_than` to 'pending'; their ids."""
    return [row[0] for row in conn.execute(q.SWEEP_LEASES, {"now": now, "older_than": older_than})]


def claim(conn: psycopg.Connection, now: datetime, subscription: str | None = None) -> Claimed | None:
    """Claim the next due delivery (committed by the caller before it talks to the mail server)."""
    with conn.cursor(row_factory=class_row(Claimed)) as cur:
        return cur.execute(q.CLAIM_DELIVERY, {"now": now, "subscription": subscription}).fetchone()


def stored_digest(conn: psycopg.Connection, digest_id: int) -> StoredDigest:
    """The rendered digest a delivery sends."""
    with conn.cursor(row_factory=class_row(StoredDigest)) as cur:
        row = cur.execute(q.DIGEST_FOR_SENDING, (digest_id,)).fetchone()
    if row is None:
        raise LookupError(f"digest {digest_id} does not exist")
    return row


def mark_sent(conn: psycopg.Connection, delivery_id: int, now: datetime) -> None:
    """The mail server accepted the message."""
    conn.execute(q.MARK_SENT, {"id": delivery_id, "now": now})


def mark_retry(conn: psycopg.Connection, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
    """A transient failure: try again at `next_attempt_at`."""
    conn.execute(q.MARK_RETRY, {"id": delivery_id, "error": error, "next_attempt_at": next_attempt_at})


def mark_failed(conn: psycopg.Connection, delivery_id: int, error: str) -> None:
    """A permanent failure (or attempts exhausted): shown by `pantau status`, never retried."""
    conn.execute(q.MARK_FAILED, {"id": delivery_id, "error": error})


def finish_digest(conn: psycopg.Connection, digest_id: int, now: datetime) -> None:
    """Mark the digest sent (or failed) once none of its deliveries is still open."""
    conn.execute(q.FINISH_DIGEST, {"id": digest_id, "now": now})
