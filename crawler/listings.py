"""Parsers for the pages discovery reads: sitemaps (index or urlset), RSS/Atom feeds, HTML listings.

XML is parsed with lxml by local names (namespaces and CDATA both handled), with entity resolution
and network access off. Each parser returns what the page lists; deciding which URLs are articles is
the canonicaliser's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lxml import etree
from scrapy.utils.gz import gunzip

WIB = ZoneInfo("Asia/Jakarta")
MAX_XML_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Listed:
    """One link a listing shows: its URL, the title shown with it, and the date given, if any."""

    url: str
    title: str | None = None
    published: datetime | None = None


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=MAX_XML_BYTES)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError:
        return None


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _first_text(element: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in element.iter():
            if _local(child) == name and child.text and child.text.strip():
                return str(child.text.strip())
    return None


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 or RFC 822 date; naive values are WIB (the sites' zone)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=WIB)


def parse_sitemap(body: bytes) -> tuple[Literal["index", "urlset", "invalid"], list[Listed]]:
    """('index', child sitemaps) or ('urlset', pages with news:title and date) or ('invalid', [])."""
    root = _xml_root(body)
    if root is None or _local(root) not in ("sitemapindex", "urlset"):
        return "invalid", []
    kind: Literal["index", "urlset"] = "index" if _local(root) == "sitemapindex" else "urlset"
    entries = []
    for entry in root:
        if _local(entry) not in ("sitemap", "url"):
            continue
        loc = _first_text(entry, "loc")
        if loc:
            date = parse_date(_first_text(entry, "publication_date", "lastmod"))
            entries.append(Listed(loc, _first_text(entry, "title"), date))
    return kind, entries


def parse_feed(body: bytes) -> list[Listed] | None:
    """The items of an RSS 2.0 or Atom feed; None when the body is no feed (e.g. an HTML page)."""
    root = _xml_root(body)
    if root is None or _local(root) not in ("rss", "feed", "RDF"):
        return None
    listed = []
    for item in root.iter():
        if _local(item) not in ("item", "entry"):
            continue
        link = _first_text(item, "link") or _atom_link(item)
        if link:
            date = parse_date(_first_text(item, "pubDate", "published", "updated", "date"))
            listed.append(Listed(link, _first_text(item, "title"), date))
    return listed


def _atom_link(entry: etree._Element) -> str | None:
    for child in entry:
        if _local(child) == "link" and child.get("href"):
            return str(child.get("href"))
    return None


def html_links(response: Any) -> list[Listed]:
    """Every link of an HTML listing with the longest text (or title/alt) shown for it."""
    titles: dict[str, str] = {}
    for anchor in response.css("a[href]"):
        url = response.urljoin(anchor.attrib["href"])
        text = " ".join(" ".join(anchor.css("::text").getall()).split())
        text = text or anchor.attrib.get("title") or anchor.css("img::attr(alt)").get() or ""
        if len(text) >= len(titles.get(url, "")):
            titles[url] = text
    return [Listed(url, title or None) for url, title in titles.items()]
