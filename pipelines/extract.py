"""Our one wrapper around trafilatura: a fetched article page in, clean text and exact metadata out.

The page is parsed once with lxml. Metadata comes from that tree (site selectors, then meta tags
and JSON-LD: ``pipelines.metadata``); then the site's clutter is pruned from the tree, the story's
container(s) are handed to trafilatura, and the text is cleaned by the site's patterns
(``pipelines.boilerplate``). Site knowledge is data: the ``[extraction]``, ``[boilerplate]`` and
``[dates]`` tables of ``crawler/sites/<site>.toml``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import lxml.html
import trafilatura
from lxml import etree

from pantau.pipelines.leads import clean_lead
from pantau.pipelines.metadata import (
    PageMeta,
    parse_authors,
    parse_lead,
    parse_published_at,
    parse_section,
    parse_tags,
    parse_title,
    select_nodes,
)
from pantau.pipelines.rules import ExtractionRules, rules_for_site

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from pantau.base.models import Article

log = logging.getLogger(__name__)

MAX_HTML_CHARS = 5_000_000  # trafilatura can run for minutes on huge DOMs (trafilatura#704)
# Challenge and block pages served with status 200/202 instead of the story (docs/sites.md 5).
BLOCK_MARKERS = ("awsWafCookieDomainList", "cf-chl", "challenge-platform", "<title>Just a moment")
# Never part of a story's text, on any site.
COMMON_DROP = ("script", "style", "noscript", "iframe", "form", "figcaption", "button")


class ExtractionError(ValueError):
    """The page has no usable story (no title, body too short, a block page, not an article)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extracted:
    """A story's clean text and metadata; ``published_at`` is tz-aware, ``date_source`` says where from."""

    title: str
    lead: str | None
    text: str
    authors: list[str]
    section: str | None
    tags: list[str]
    published_at: datetime | None
    date_source: str | None
    # The points of the site's own summary box (Bisnis's AI "Ringkasan Berita"), kept out of `text`.
    summary: list[str] = field(default_factory=list)
    # Site selectors that matched nothing on page 1 (a fallback was used): the field-coverage signal.
    missed: list[str] = field(default_factory=list)


def extract_article(
    html: str,
    url: str,
    rules: ExtractionRules,
    extra_pages: Sequence[str] = (),
    *,
    now: datetime | None = None,
) -> Extracted:
    """Extract one story; ``extra_pages`` (pages 2..N) add their body text in order.

    Raises ExtractionError when the page has no usable title or body.
    """
    tree = _parse_page(html)
    page = PageMeta(tree)
    title = parse_title(tree, page, rules)
    if not title:
        raise ExtractionError("no title (site selectors, og:title and JSON-LD headline all empty)")
    published_at, date_source = parse_published_at(tree, page, rules, url, now or datetime.now(UTC))
    # read before _parse_text prunes the tree (a lead or byline may sit inside the body container)
    lead, authors = parse_lead(tree, page, rules), parse_authors(tree, page, rules)
    section, tags = parse_section(tree, page, rules), parse_tags(tree, page, rules)
    containers = _body_containers(tree, rules)
    missed = [] if containers else ["body"]
    text, summary = _parse_text(tree, url, rules, containers)
    pages = [text] + [_parse_text(_parse_page(extra), url, rules)[0] for extra in extra_pages]
    text = "\n".join(p for p in pages if p)
    if len(text) < rules.min_body_chars:
        raise ExtractionError(f"body too short after cleaning ({len(text)} < {rules.min_body_chars} chars)")
    return Extracted(
        title=title,
        lead=clean_lead(lead, text, rules.boilerplate, summary),
        text=text,
        authors=authors,
        section=section,
        tags=tags,
        published_at=published_at,
        date_source=date_source,
        summary=summary,
        missed=missed,
    )


def _parse_page(html: str) -> HtmlElement:
    if len(html) > MAX_HTML_CHARS:
        raise ExtractionError(f"page too large ({len(html)} chars > {MAX_HTML_CHARS})")
    if any(marker in html for marker in BLOCK_MARKERS):
        raise ExtractionError("a block or challenge page, not the story")
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:  # empty document, or an encoding declaration
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8"))
        except (etree.ParserError, ValueError):
            raise ExtractionError(f"not parseable as HTML: {exc}") from exc
    return tree


def _parse_text(
    tree: HtmlElement, url: str, rules: ExtractionRules, containers: list[HtmlElement] | None = None
) -> tuple[str, list[str]]:
    """(clean body, site summary points) of the site's container(s) if they hold enough, else the page.

    ``containers``: the page's body containers when the caller already looked them up.
    """
    containers = _body_containers(tree, rules) if containers is None else containers
    if containers:
        doc = lxml.html.document_fromstring("<html><body></body></html>")
        doc.body.extend(deepcopy(node) for node in containers)
        _prune(doc, rules)  # on the small copy: a whole-page scan per selector costs more than trafilatura
        text, summary = rules.boilerplate.split(_trafilatura_text(doc, url, fast=True))
        if len(text) >= rules.min_body_chars:
            return text, summary
    _prune(tree, rules)
    return rules.boilerplate.split(_trafilatura_text(tree, url, fast=False))


def _prune(tree: HtmlElement, rules: ExtractionRules) -> None:
    for spec in (*COMMON_DROP, *rules.drop):
        for node in select_nodes(tree, spec):
            node.drop_tree()  # keeps the node's tail text, which belongs to its parent


def _body_containers(tree: HtmlElement, rules: ExtractionRules) -> list[HtmlElement]:
    """All matches of the first body selector that matches (detik splits a story in sections)."""
    for spec in rules.body:
        nodes = select_nodes(tree, spec)
        if nodes:
            inside = {id(d) for n in nodes for d in n.iterdescendants()}
            return [n for n in nodes if id(n) not in inside]
    return []


def _trafilatura_text(tree: HtmlElement, url: str, *, fast: bool) -> str:
    try:
        text = trafilatura.extract(
            tree,
            url=url,
            fast=fast,
            favor_recall=True,  # the container is already the story: keep its short paragraphs
            include_comments=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            with_metadata=False,
        )
    except Exception as exc:  # trafilatura raises assorted errors on odd DOMs; the page is skipped
        log.warning("trafilatura failed on %s: %r", url, exc)
        return ""
    return text or ""


class ExtractPipeline:
    """Fills the story's text and metadata; drops the item (with a reason) when there is no story."""

    def __init__(self, stats: Any = None) -> None:
        self.stats = stats
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Built by Scrapy with the crawl's stats collector; the crawler gives the running spider."""
        pipeline = cls(stats=crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item: Article, spider: Spider | None = None) -> Article:
        """Extract with the spider's ``extraction_rules`` (else the site's); DropItem on ExtractionError."""
        from scrapy.exceptions import DropItem

        spider = spider or (self.crawler.spider if self.crawler else None)
        rules = getattr(spider, "extraction_rules", None) or rules_for_site(item.site)
        # U+FFFD: bytes the page's declared (or inferred) charset could not decode; a quality signal.
        replaced = sum(page.count("\ufffd") for page in (item.html, *item.extra_pages))
        item.extra["replacement_chars"] = replaced
        if replaced and self.stats is not None:
            self.stats.inc_value("pantau/replacement_chars", replaced)
        try:
            found = extract_article(item.html, item.url, rules, item.extra_pages)
        except ExtractionError as exc:
            if self.stats is not None:
                self.stats.inc_value("pantau/extraction_failed")
            raise DropItem(f"extraction failed for {item.url}: {exc.reason}") from exc
        item.title, item.lead, item.text = found.title, found.lead, found.text
        item.site_summary = found.summary
        item.authors, item.section, item.tags = found.authors, found.section, found.tags
        item.published_at, item.date_source = found.published_at, found.date_source
        item.extra["missed_selectors"] = found.missed
        for name in found.missed:
            if self.stats is not None:
                self.stats.inc_value(f"pantau/missed_{name}")
        return item
