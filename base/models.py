"""The item that flows from a spider through the pipelines into the archive.

A spider fills the fields above the line (what it fetched and where it found it); each pipeline
fills its own fields below, in order: extract -> language -> relevance -> deduplicate -> store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class TopicScore:
    """How one story scores against one topic, with the terms that explain the score."""

    score: float
    on_topic: bool
    matched_terms: list[str] = field(default_factory=list)
    fingerprint: str | None = None  # of the topic definition that gave the score (base.topics)


@dataclass
class Article:
    """One story as fetched (single-page view) and, after the pipelines, as stored."""

    # --- filled by the spider -------------------------------------------------------------
    site: str  # okezone, detik, bisnis, kompas
    url: str  # the URL fetched (e.g. with ?page=all / ?single=1)
    canonical_url: str  # tracking parameters, paging, AMP and mobile hosts removed
    site_article_id: str  # the site's own id (Okezone/detik/Bisnis number; Kompas "YYYYMMDD-id")
    html: str  # the decoded HTML of the single-page view (page 1 when the site pages by path)
    fetched_at: datetime  # tz-aware
    source: str = ""  # the listing (sitemap, index, tag, feed) URL it was discovered on
    listed_title: str | None = None
    extra_pages: list[str] = field(default_factory=list)  # HTML of pages 2..N (Bisnis /2, /3)
    backfilled: bool = False
    run_id: int | None = None

    # --- filled by the pipelines ----------------------------------------------------------
    title: str = ""
    lead: str | None = None
    text: str = ""  # the clean body
    site_summary: list[str] = field(default_factory=list)  # the site's own summary points (Bisnis AI)
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    date_source: str | None = None
    language: str | None = None
    language_prob: float | None = None
    topics: dict[str, TopicScore] = field(default_factory=dict)
    content_hash: str = ""
    simhash: int = 0
    cluster_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # diagnostics (e.g. replacement-char count)
