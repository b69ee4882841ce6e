"""Bisnis: the Google-News sitemap, kabar24 daily index as fallback; pages 2..N by path (`/2`, `/3`).

Quirks held as data (crawler/sites/bisnis.toml): Cloudflare defends the site (half pace, block pages
recognised by crawler.middlewares); `/rss` and `/feed` are robots-disallowed and never used.
"""

from __future__ import annotations

from pantau.crawler.spiders.base import NewsSiteSpider


class BisnisSpider(NewsSiteSpider):
    """Bisnis (bisnis.com): international desk is kabar24.bisnis.com, category 19."""

    name = "bisnis"
