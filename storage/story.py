"""Reading one story of the archive (with its topics, other copies, earlier versions) and stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psycopg.rows import dict_row

from pantau.base.canonical import canonicalize
from pantau.base.errors import PantauError
from pantau.storage.queries import search as q

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import psycopg


class StoryNotFound(PantauError):
    """No stored story has that id or URL."""


@dataclass
class Story:
    """One stored story: its row (`fields`), and what the archive knows around it."""

    fields: dict[str, Any]
    topics: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)


def url_variants(url: str) -> list[str]:
    """The URL as given and, for an article URL of a known site, its canonical URL (AMP, utm, paging gone)."""
    canonical = canonicalize(url)
    if canonical is None or canonical.url == url:
        return [url]
    return [url, canonical.url]


def find_story(conn: psycopg.Connection, key: str) -> Story:
    """The story with this id, or whose URL (any variant of it) is `key`; StoryNotFound otherwise."""
    with conn.cursor(row_factory=dict_row) as cur:
        if key.isdigit():
            row = cur.execute(q.STORY_BY_ID, {"id": int(key)}).fetchone()
        elif key.startswith(("http://", "https://")):
            row = cur.execute(q.STORY_BY_URL, {"urls": url_variants(key)}).fetchone()
        else:
            raise StoryNotFound(f"{key!r} is neither a story id (a number) nor an http(s) URL")
        if row is None:
            raise StoryNotFound(f"no stored story has id or URL {key}; find one with `pantau search`")
        story = Story(fields=row)
        story.topics = cur.execute(q.STORY_TOPICS, {"id": row["id"]}).fetchall()
        if row["cluster_id"] is not None:
            params = {"cluster_id": row["cluster_id"], "id": row["id"]}
            story.copies = cur.execute(q.STORY_COPIES, params).fetchall()
        story.versions = cur.execute(q.STORY_VERSIONS, {"id": row["id"]}).fetchall()
    return story


@dataclass
class Stats:
    """The archive in numbers: per site, per day (user's zone), per topic, and each site's last crawl."""

    sites: list[dict[str, Any]]
    days: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    crawls: list[dict[str, Any]]


def feed_rows(conn: psycopg.Connection, topic: str, limit: int) -> list[dict[str, Any]]:
    """The topic's newest on-topic stories for its feed: one row per story cluster, newest first."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q.FEED_ENTRIES, {"topic": topic, "limit": limit}).fetchall()


def archive_stats(conn: psycopg.Connection, *, zone: ZoneInfo, days: int, now: datetime) -> Stats:
    """Counts for `pantau stats`; `days` is how many days back from `now`'s day in `zone`, included."""
    today = now.astimezone(zone).date()
    with conn.cursor(row_factory=dict_row) as cur:
        return Stats(
            sites=cur.execute(q.STATS_PER_SITE, {"now": now}).fetchall(),
            days=cur.execute(q.STATS_PER_DAY, {"zone": zone.key, "days": days, "today": today}).fetchall(),
            topics=cur.execute(q.STATS_PER_TOPIC).fetchall(),
            crawls=cur.execute(q.STATS_LAST_CRAWL).fetchall(),
        )
