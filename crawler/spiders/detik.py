"""detik: internasional/berita/bbc news sitemaps (from the index), news RSS, korea-utara tag; `?single=1`.

Quirks held as data (crawler/sites/detik.toml): galleries, video (20.detik.com), readers' letters and
infographics are not stories; `m.detik.com/<channel>/…` is `<channel>.detik.com/…`; the 2026 template
holds every `section.multi-card` page in one response, and `?single=1` covers the older pager.
"""

from __future__ import annotations

from pantau.crawler.spiders.base import NewsSiteSpider


class DetikSpider(NewsSiteSpider):
    """detik (detik.com): international desk is news.detik.com/internasional."""

    name = "detik"
