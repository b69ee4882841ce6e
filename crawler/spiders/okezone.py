"""Okezone: news sitemap children (read from the index), news index, korea-utara tag; `?page=all`.

Quirks held as data (crawler/sites/okezone.toml): `/amp/` paths are the `/read/` story; a missing tag
serves the homepage (`empty_marker`); the RSS feed is only a fallback (it returns HTML at times).
"""

from __future__ import annotations

from pantau.crawler.spiders.base import NewsSiteSpider


class OkezoneSpider(NewsSiteSpider):
    """Okezone (okezone.com): international desk is news.okezone.com, section 18."""

    name = "okezone"
