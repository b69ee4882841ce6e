"""Archive results shaped for people: plain records for JSON, CSV and pages, times in the user's zone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pantau.base.snippets import from_marked
from pantau.storage.search import Hit

if TYPE_CHECKING:
    from pantau.storage.story import Story

HIT_FIELDS = (
    "id", "site", "url", "canonical_url", "title", "published_at", "date_source", "language",
    "cluster_id", "rank", "snippet", "other_copies", "other_sites",
)  # fmt: skip
EXPORT_FIELDS = (
    "id", "site", "site_article_id", "url", "canonical_url", "title", "lead", "text", "authors",
    "section", "tags", "published_at", "date_source", "language", "language_prob", "content_hash",
    "simhash", "cluster_id", "version", "backfilled", "first_seen_at", "last_seen_at", "updated_at",
    "site_summary", "topics",
)  # fmt: skip


def local_iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in the user's zone, with its offset (2025-01-31T23:30:00+07:00)."""
    return value.astimezone(zone).isoformat() if value is not None else None


def local_short(value: datetime | None, zone: ZoneInfo) -> str:
    """A compact local time for tables (2025-01-31 23:30 +07:00), or '-' when unknown."""
    if value is None:
        return "-"
    local = value.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def hit_record(hit: Hit, zone: ZoneInfo) -> dict[str, Any]:
    """A hit as plain data for JSON and CSV (the snippet plain, and as safe HTML)."""
    record = {name: getattr(hit, name) for name in HIT_FIELDS}
    record["published_at"] = local_iso(hit.published_at, zone)
    snippet = from_marked(hit.snippet)
    record["snippet"] = snippet.plain()
    record["snippet_html"] = snippet.html()
    return record


def export_records(rows: Iterable[dict[str, Any]], zone: ZoneInfo) -> Iterator[dict[str, Any]]:
    """Exported rows with times in the user's zone (ISO 8601 with offset)."""
    for row in rows:
        for key in ("published_at", "first_seen_at", "last_seen_at", "updated_at"):
            row[key] = local_iso(row[key], zone)
        yield row


def story_record(story: Story, zone: ZoneInfo) -> dict[str, Any]:
    """The story as JSON-ready data, times in the user's zone."""
    record = dict(story.fields)
    record["text"] = record.pop("body")
    for key in ("published_at", "first_seen_at", "last_seen_at", "updated_at"):
        record[key] = local_iso(record[key], zone)
    record["topics"] = {
        t["topic"]: {k: t[k] for k in ("score", "on_topic", "matched_terms")} for t in story.topics
    }
    record["copies"] = [{**c, "published_at": local_iso(c["published_at"], zone)} for c in story.copies]
    record["versions"] = [
        {
            **v,
            "published_at": local_iso(v["published_at"], zone),
            "replaced_at": local_iso(v["replaced_at"], zone),
        }
        for v in story.versions
    ]
    return record
