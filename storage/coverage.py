"""The topic now and over time: coverage per bucket and site, term trends, the newest stories, sites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from psycopg.rows import class_row, dict_row

from pantau.storage.queries import coverage as q

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import psycopg

Bucket = Literal["day", "week", "month"]


@dataclass(frozen=True)
class Count:
    """Stories in one bucket (its first day) for one key: a site, or a matched term."""

    bucket: date
    key: str
    stories: int


@dataclass(frozen=True)
class SiteState:
    """A site's latest crawl run (None: never crawled) and its health flag (None: never checked)."""

    site: str
    started_at: datetime | None
    finished_at: datetime | None
    status: str | None
    flagged: bool | None
    reasons: list[str]


def coverage(
    conn: psycopg.Connection,
    topic: str,
    *,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    bucket: Bucket = "day",
) -> list[Count]:
    """On-topic stories per bucket in `zone` and site, for stories published in [since, until)."""
    params = {"topic": topic, "since": since, "until": until, "zone": zone.key, "bucket": bucket}
    rows = conn.execute(q.COVERAGE, params).fetchall()
    return [Count(row[0], str(row[1]), int(row[2])) for row in rows]


def term_counts(
    conn: psycopg.Connection, topic: str, *, since: date, until: date, bucket: Bucket = "week"
) -> list[Count]:
    """On-topic stories per bucket and matched term, days `since` to `until` included."""
    params = {"topic": topic, "since": since, "until": until, "bucket": bucket}
    rows = conn.execute(q.TERMS, params).fetchall()
    return [Count(row[0], str(row[1]), int(row[2])) for row in rows]


def latest_on_topic(
    conn: psycopg.Connection, topic: str, *, until: datetime, limit: int
) -> list[dict[str, Any]]:
    """The `limit` newest on-topic stories published before `until`, newest first."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q.LATEST_ON_TOPIC, {"topic": topic, "until": until, "limit": limit}).fetchall()


def cluster_copies(conn: psycopg.Connection, stories: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every copy (id, site, published_at) of these story clusters, earliest first, by cluster."""
    copies: dict[int, list[dict[str, Any]]] = {story: [] for story in stories}
    with conn.cursor(row_factory=dict_row) as cur:
        for row in cur.execute(q.CLUSTER_COPIES, {"stories": stories}):
            copies.setdefault(row.pop("story"), []).append(row)
    return copies


def on_topic_ids(conn: psycopg.Connection, ids: list[int], topic: str) -> set[int]:
    """Which of these stories are on `topic`."""
    rows = conn.execute(q.ON_TOPIC_IDS, {"ids": ids, "topic": topic}).fetchall()
    return {int(row[0]) for row in rows}


def site_states(conn: psycopg.Connection, sites: list[str]) -> list[SiteState]:
    """Each site's latest crawl and health flag, in the order given."""
    with conn.cursor(row_factory=class_row(SiteState)) as cur:
        return cur.execute(q.SITE_STRIP, {"sites": sites}).fetchall()
