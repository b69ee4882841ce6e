"""Story metadata from a parsed page: site selectors first, then meta tags and JSON-LD.

Selectors are data (``crawler/sites/<site>.toml``): CSS, or XPath when they start with ``/`` or
``./``; ``::attr(name)`` reads an attribute instead of the text. Each is compiled once per process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from pantau.pipelines import dates

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from pantau.pipelines.rules import ExtractionRules

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle"}
_PAGE_TYPES = _ARTICLE_TYPES | {"webpage"}
_ATTR = re.compile(r"::attr\(([\w:-]+)\)$")


@dataclass(frozen=True)
class _Selector:
    xpath: etree.XPath
    attribute: str | None


@cache
def compile_selector(spec: str) -> _Selector:
    """A CSS or XPath selector spec, compiled; raises ValueError naming the spec if it is invalid."""
    attr_match = _ATTR.search(spec)
    expression = spec[: attr_match.start()] if attr_match else spec
    try:
        if not expression.startswith(("/", "./")):
            expression = HTMLTranslator().css_to_xpath(expression, prefix="descendant-or-self::")
        return _Selector(etree.XPath(expression), attr_match.group(1) if attr_match else None)
    except (SelectorError, etree.XPathError) as exc:
        raise ValueError(f"invalid selector {spec!r} in a site's [extraction] table: {exc}") from exc


def select_nodes(tree: HtmlElement, spec: str) -> list[HtmlElement]:
    """Elements matching a selector spec, in document order."""
    return [n for n in compile_selector(spec).xpath(tree) if isinstance(n, etree._Element)]


def _squash(text: str) -> str:
    return " ".join(text.split())


def select_texts(tree: HtmlElement, specs: tuple[str, ...]) -> list[str]:
    """The non-empty texts (or attribute values) of the first spec that yields any."""
    for spec in specs:
        selector = compile_selector(spec)
        found = []
        for node in selector.xpath(tree):
            if isinstance(node, str):
                value = node
            elif selector.attribute:
                value = node.get(selector.attribute) or ""
            else:
                value = node.text_content()
            if _squash(value):
                found.append(_squash(value))
        if found:
            return found
    return []


class PageMeta:
    """The page's ``<meta>`` values (by name, property or itemprop) and its JSON-LD objects."""

    def __init__(self, tree: HtmlElement) -> None:
        self.meta: dict[str, str] = {}
        for node in tree.iter("meta"):
            key = node.get("property") or node.get("name") or node.get("itemprop")
            content = node.get("content")
            if key and content and content.strip():
                self.meta.setdefault(key.strip().lower(), content.strip())
        self.jsonld = list(_jsonld_objects(tree))
        self.article = _first_of_type(self.jsonld, _ARTICLE_TYPES) or _first_of_type(self.jsonld, _PAGE_TYPES)

    def get(self, *keys: str) -> str | None:
        """The first present meta value among ``keys`` (case-insensitive)."""
        for key in keys:
            if key.lower() in self.meta:
                return self.meta[key.lower()]
        return None


def _jsonld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:  # sites ship broken JSON-LD; the other sources still apply
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                stack.extend(v for k, v in item.items() if k == "@graph")


def _first_of_type(objects: list[dict[str, Any]], types: set[str]) -> dict[str, Any] | None:
    for obj in objects:
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and k.lower() in types for k in kinds):
            return obj
    return None


def _jsonld_names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = [v.get("name") if isinstance(v, dict) else v for v in values]
    return [_squash(n) for n in names if isinstance(n, str) and _squash(n)]


def parse_title(tree: HtmlElement, page: PageMeta, rules: ExtractionRules) -> str:
    found = select_texts(tree, rules.title)
    headline = page.article.get("headline") if page.article else None
    last_resort = select_texts(tree, ("title", "h1"))  # <title>, then any h1: older layouts lack the rest
    candidates = [
        *found[:1],
        page.get("og:title", "twitter:title") or "",
        str(headline or ""),
        *last_resort[:1],
    ]
    for candidate in candidates:
        for pattern in rules.title_strip:
            candidate = re.sub(pattern, "", candidate)
        candidate = _squash(candidate).strip(" :|-–")  # a separator left by a stripped site name
        if candidate:
            return candidate
    return ""


def parse_lead(tree: HtmlElement, page: PageMeta, rules: ExtractionRules) -> str | None:
    found = select_texts(tree, rules.lead)
    return found[0] if found else page.get("og:description", "description")


def parse_authors(tree: HtmlElement, page: PageMeta, rules: ExtractionRules) -> list[str]:
    found = select_texts(tree, rules.authors)
    if not found:
        meta = page.get(*rules.author_meta)
        found = [meta] if meta else _jsonld_names(page.article.get("author") if page.article else None)
    authors: list[str] = []
    for text in found:
        for pattern in rules.author_cut:
            text = re.split(pattern, text, maxsplit=1)[0]
        text = _squash(text).strip(" ,-–")
        if text and text not in authors:
            authors.append(text)
    return authors


def parse_section(tree: HtmlElement, page: PageMeta, rules: ExtractionRules) -> str | None:
    found = [t for t in select_texts(tree, rules.section) if t.lower() not in {"home", "beranda"}]
    if found:
        return found[-1] if rules.section_pick == "last" else found[0]
    return page.get("article:section", "content_category")


def parse_tags(tree: HtmlElement, page: PageMeta, rules: ExtractionRules) -> list[str]:
    found = select_texts(tree, rules.tags)
    if not found:
        meta = page.get(*rules.tag_meta) or ""
        found = [t.strip() for t in meta.split(",")]
    return list(dict.fromkeys(t for t in found if t))


def parse_published_at(
    tree: HtmlElement, page: PageMeta, rules: ExtractionRules, url: str, now: datetime
) -> tuple[datetime | None, str | None]:
    """The first plausible date with a clock time, in ``rules.date_sources`` order; else a bare day."""
    zone = ZoneInfo(rules.naive_tz)
    day_only: tuple[datetime, str] | None = None
    for source in rules.date_sources:
        parsed = _date_from(source, tree, page, rules, url, zone)
        if parsed is None or not dates.is_plausible(parsed.value, now):
            continue
        value = parsed.value.astimezone(zone)  # one zone for every source: Kompas meta is UTC
        if parsed.has_time:
            return value, source
        day_only = day_only or (value, source)
    return day_only if day_only else (None, None)


def _date_from(
    source: str, tree: HtmlElement, page: PageMeta, rules: ExtractionRules, url: str, zone: ZoneInfo
) -> dates.ParsedDate | None:
    if source == "jsonld":
        value = page.article.get("datePublished") if page.article else None
        return dates.parse_any(value, zone) if isinstance(value, str) else None
    if source.startswith("meta:"):
        value = page.get(source.removeprefix("meta:"))
        return dates.parse_any(value, zone) if value else None
    if source == "visible":
        texts = select_texts(tree, rules.visible_date)
        return dates.parse_indonesian(texts[0], zone) if texts else None
    if source == "url" and rules.url_date:
        return dates.parse_url_date(url, re.compile(rules.url_date), zone)
    return None
