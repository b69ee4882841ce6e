"""The analyst's workspace: the topic now (home page) and over time (topic page), as page data."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pantau.base import snippets
from pantau.present.filters import known_topics
from pantau.scheduler.render import outlet_name
from pantau.storage.coverage import Bucket, Count, cluster_copies, coverage, latest_on_topic
from pantau.storage.search import day_start

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import psycopg

    from pantau.base.settings import Settings

DEFAULT_TOPIC = "nk-russia-arms"
CHART_DAYS = (30, 90, 365)
HOME_STORIES = 30  # story clusters on the home page
NEWEST_ROWS = 200  # on-topic stories read to find them (copies of one story come together)


@dataclass
class StoryItem:
    """One story on the home page: its best-scoring copy, and every outlet that carried it."""

    id: int
    site: str
    title: str
    url: str
    published_at: datetime
    score: float
    terms: list[str]
    snippet_html: str
    also: list[dict[str, Any]] = field(default_factory=list)  # other outlets: id, site, published_at


def topics_in_order(settings: Settings) -> list[str]:
    """The configured topics, the default topic first."""
    names = known_topics(settings.topics_dir)
    return sorted(names, key=lambda name: (name != DEFAULT_TOPIC, name))


def local_days(today: date, days: int) -> list[date]:
    """The last `days` days up to `today`, oldest first."""
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def buckets_between(since: date, until: date, bucket: Bucket) -> list[date]:
    """The first day of every day, week (Monday) or month bucket touching since..until."""
    if bucket == "day":
        return [since + timedelta(days=n) for n in range((until - since).days + 1)]
    if bucket == "week":
        first = since - timedelta(days=since.weekday())
        return [first + timedelta(weeks=n) for n in range((until - first).days // 7 + 1)]
    months, cursor = [], since.replace(day=1)
    while cursor <= until:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def day_counts(
    conn: psycopg.Connection, topic: str, since: date, until: date, zone: ZoneInfo, bucket: Bucket
) -> list[Count]:
    """Coverage counts for the local days since..until (both included), per bucket and outlet."""
    start, end = day_start(since, zone), day_start(until + timedelta(days=1), zone)
    return coverage(conn, topic, since=start, until=end, zone=zone, bucket=bucket)


@functools.lru_cache(maxsize=1024)
def _snippet_html(title: str, lead: str | None, body: str, terms: tuple[str, ...]) -> str:
    """The story's snippet as HTML; cached because every home page shows the same newest stories
    and building one reads the whole text (10 ms for a long story), while the key is cheap."""
    return snippets.build(lead, body, snippets.term_matcher(terms), title=title).html()


def _item(row: dict[str, Any]) -> StoryItem:
    snippet = _snippet_html(row["title"], row["lead"], row["body"], tuple(row["terms"]))
    return StoryItem(
        row["id"], row["site"], row["title"], row["canonical_url"], row["published_at"],
        float(row["score"]), list(row["terms"]), snippet,
    )  # fmt: skip


def latest_stories(conn: psycopg.Connection, topic: str, now: datetime) -> list[StoryItem]:
    """The newest on-topic stories, one per story cluster (its best-scoring copy), newest first."""
    rows = latest_on_topic(conn, topic, until=now + timedelta(days=1), limit=NEWEST_ROWS)
    best: dict[int, dict[str, Any]] = {}
    for row in rows:
        kept = best.get(row["story"])
        if kept is None or row["score"] > kept["score"]:
            best[row["story"]] = row
    chosen = sorted(best.values(), key=lambda r: (r["published_at"], r["id"]), reverse=True)[:HOME_STORIES]
    copies = cluster_copies(conn, [row["story"] for row in chosen])
    items = []
    for row in chosen:
        item = _item(row)
        seen = {row["site"]}
        for copy in copies.get(row["story"], []):
            if copy["site"] not in seen:  # one line per other outlet: its first copy
                seen.add(copy["site"])
                item.also.append(copy)
        items.append(item)
    return items


def by_day(items: list[StoryItem], zone: ZoneInfo) -> list[tuple[date, list[StoryItem]]]:
    """The stories grouped by their local day, newest day first (order within a day kept)."""
    groups: dict[date, list[StoryItem]] = {}
    for item in items:
        groups.setdefault(item.published_at.astimezone(zone).date(), []).append(item)
    return list(groups.items())


def outlet(site: str) -> str:
    """The outlet's name for readers (Okezone, detik, Bisnis, Kompas)."""
    return outlet_name(site)
