"""The search page's data: a page of hits, how many match, facets that narrow, paging links."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pantau.storage.coverage import on_topic_ids
from pantau.storage.facets import Facets, facets
from pantau.storage.search import Hit, search
from pantau.web.params import MAX_PAGE, PAGE_SIZE, SearchRequest

if TYPE_CHECKING:
    import psycopg
    from starlette.datastructures import QueryParams

LANGUAGES = ("id", "en")  # offered in the language select besides those the facets find


@dataclass(frozen=True)
class Facet:
    """One clickable facet value: its label, count, the URL that narrows to it, whether chosen."""

    label: str
    count: int
    url: str
    chosen: bool


def with_params(params: QueryParams, **changes: str | None) -> str:
    """This page's URL with `changes` set (None removes a key), back on page 1."""
    kept = [(k, v) for k, v in params.multi_items() if k not in changes and k != "page"]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return "/search?" + urlencode(kept)


def _month_range(month: str) -> tuple[str, str]:
    year, number = (int(part) for part in month.split("-"))
    return f"{month}-01", f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def facet_links(found: Facets, params: QueryParams, topic: str) -> dict[str, list[Facet]]:
    """Every facet value as a link narrowing the search to it (a chosen value links to its removal)."""
    sites = [
        Facet(
            site,
            n,
            with_params(params, site=None if params.get("site") == site else site),
            params.get("site") == site,
        )
        for site, n in found.sites
    ]
    months = []
    for month, n in found.months:
        since, until = _month_range(month)
        chosen = params.get("since") == since and params.get("until") == until
        url = (
            with_params(params, since=None, until=None)
            if chosen
            else with_params(params, since=since, until=until)
        )
        months.append(Facet(month, n, url, chosen))
    languages = [
        Facet(
            lang or "undetermined",
            n,
            with_params(params, lang=None if params.get("lang") == lang else lang or None),
            params.get("lang") == lang,
        )
        for lang, n in found.languages
    ]
    on = params.get("topic") == topic
    topics = [
        Facet(f"on topic ({topic})", found.on_topic, with_params(params, topic=None if on else topic), on)
    ]
    return {"site": sites, "month": months, "language": languages, "topic": topics}


def pages(params: QueryParams, page: int, total: int) -> dict[str, Any]:
    """Paging: the last page, and the previous/next links ('' where there is none)."""
    last = min(max(-(-total // PAGE_SIZE), 1), MAX_PAGE)
    kept = [(k, v) for k, v in params.multi_items() if k != "page"]
    links = {n: "/search?" + urlencode([*kept, ("page", str(n))]) for n in (page - 1, page + 1)}
    return {
        "page": page, "last": last,
        "previous": links[page - 1] if page > 1 else "", "next": links[page + 1] if page < last else "",
    }  # fmt: skip


def run(conn: psycopg.Connection, wanted: SearchRequest, params: QueryParams, topic: str) -> dict[str, Any]:
    """The search page's context: hits (with on-topic ids), counts, facets and paging."""
    filters = wanted.filters
    hits: list[Hit] = search(conn, filters, limit=PAGE_SIZE, offset=wanted.offset, clusters=wanted.clusters)
    found = facets(conn, filters, topic)
    on = on_topic_ids(conn, [hit.id for hit in hits], topic)
    total = found.clusters if wanted.clusters else found.stories
    languages = sorted({*LANGUAGES, *(lang for lang, _ in found.languages if lang)})
    return {
        "hits": hits, "on_topic": on, "found": found, "facets": facet_links(found, params, topic),
        "paging": pages(params, wanted.page, total), "languages": languages,
    }  # fmt: skip
