"""Kompas: news sitemaps picked from the index (global, news, nasional, tren), global index, tag; `?page=all`.

Quirks held as data (crawler/sites/kompas.toml): the id restarts daily (key `YYYYMMDD-id`);
`amp.kompas.com` and `/copy/` are the same story; AWS WAF answers 202 challenges at times.
"""

from __future__ import annotations

from pantau.crawler.spiders.base import NewsSiteSpider


class KompasSpider(NewsSiteSpider):
    """Kompas (kompas.com): international desk is www.kompas.com/global."""

    name = "kompas"
