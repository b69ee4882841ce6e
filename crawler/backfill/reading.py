"""Reading one listing page of a backfill: its article links in order, each with its title and date.

A listing with an `item` selector is read item by item (the date comes from the item's text, e.g.
"22 Juni 2026" or "13/09/2023, 06:23 WIB"); without one, every link counts and the date is the
one in the article URL (or the daily walk's date). Wrapped links (`/link?url=<target>`) are unwrapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from scrapy.http import TextResponse

from pantau.base.canonical import Canonical, canonicalize
from pantau.crawler.listings import WIB, html_links
from pantau.pipelines.dates import parse_indonesian

if TYPE_CHECKING:
    from pantau.crawler.backfill.plan import Walk


@dataclass(frozen=True)
class Item:
    """One article a listing page shows: its canonical URL, the title and the date shown with it."""

    canonical: Canonical
    title: str | None
    when: date | None

    @property
    def words(self) -> str:
        """Title and slug, for the topic prefilter."""
        slug = self.canonical.url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        return f"{self.title or ''} {slug}"


def listed_items(site: str, walk: Walk, response: Any) -> list[Item]:
    """The page's article links of `site` in order (one per article); [] for a "no results" page."""
    listing = walk.listing
    if not isinstance(response, TextResponse) or (listing.empty_marker or "\0") in response.text:
        return []
    found: dict[str, Item] = {}
    for url, title, text in _links(response, listing.item):
        canonical = canonicalize(unwrap(url, listing.unwrap))
        if canonical is None or canonical.site != site:
            continue
        seen = found.get(canonical.article_id)
        if seen is not None:  # the image link came first: keep the longer title
            if title and len(title) > len(seen.title or ""):
                found[canonical.article_id] = Item(canonical, title, seen.when)
            continue
        parsed = parse_indonesian(text) if text else None
        when = parsed.value.astimezone(WIB).date() if parsed else canonical.url_date or walk.day
        found[canonical.article_id] = Item(canonical, title, when)
    return list(found.values())


def _links(response: Any, item_selector: str | None) -> Sequence[tuple[str, str | None, str]]:
    """(url, title, the item's text for its date) per link; without an item selector, no date text."""
    if item_selector is None:
        return [(x.url, x.title, "") for x in html_links(response)]
    found: list[tuple[str, str | None, str]] = []
    for node in response.css(item_selector):
        text = " ".join(node.css("*::text").getall() + node.css("[title]::attr(title)").getall())
        for anchor in node.css("a[href]"):
            words = " ".join(" ".join(anchor.css("::text").getall()).split())
            title = words or anchor.attrib.get("title") or anchor.css("img::attr(alt)").get() or None
            found.append((response.urljoin(anchor.attrib["href"]), title, text))
    return found


def unwrap(url: str, param: str | None) -> str:
    """The target of a wrapped link (`/link?url=<target>`), else the URL itself."""
    if param is None:
        return url
    parts = urlsplit(url)
    target = parse_qs(parts.query).get(param) if parts.path.rstrip("/").endswith("/link") else None
    return target[0] if target else url
