"""The crawler's typed view of a site's data file: discovery endpoints and politeness.

Only the crawler's own tables ([discovery], [politeness]) are read here, over the registry's
[site] and [urls] (`pantau.base.sites`). Validation happens once per process, so a typo in a site
file fails at start-up, naming it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from pantau.base.sites import Site, Table, check_regex, get_site, load_site_data

EndpointKind = Literal["sitemap_index", "sitemap", "listing", "feed"]


class Endpoint(Table):
    """One listing the spider reads to discover article URLs."""

    name: str
    kind: EndpointKind
    url: str  # may hold {date} (formatted by date_format, WIB) and {page}
    confidence: Literal["HIGH", "MED", "LOW"]
    children: str | None = None  # sitemap_index: regex picking the child sitemaps to read
    expect: str | None = None  # sitemap_index: regex one picked child must match, else it failed
    fallback: str | None = None  # endpoint to read when this one fails or lists no article
    only_as_fallback: bool = False
    days: int = Field(1, ge=1, le=7)  # {date}: today and the days before
    date_format: str = "%Y-%m-%d"
    pages: tuple[int, ...] = (1,)
    empty_marker: str | None = None  # text of a page that means "no results"

    _regexes = field_validator("children", "expect")(check_regex)

    def urls(self, today: date) -> list[str]:
        """The concrete URLs of this endpoint for a day (WIB), newest date first."""
        days = [today - timedelta(days=n) for n in range(self.days)] if "{date}" in self.url else [today]
        pages = self.pages if "{page}" in self.url else (1,)
        return [self.url.format(date=d.strftime(self.date_format), page=p) for d in days for p in pages]


class Discovery(Table):
    """The site's listings, in the order they are read, and the pre-filter rule in words."""

    prefilter: str
    endpoints: tuple[Endpoint, ...]

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint called `name`."""
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        raise KeyError(f"no discovery endpoint named {name!r}")


class Politeness(Table):
    """Per-site pace and back-off."""

    delay_factor: float = Field(1.0, ge=0.5)
    blocked_after: int = Field(3, ge=1)


class CrawlSite(Site):
    """Everything the crawler knows about one site."""

    discovery: Discovery
    politeness: Politeness = Field(default_factory=Politeness)


@cache
def crawl_site(name: str) -> CrawlSite:
    """The validated crawler tables of crawler/sites/<name>.toml, over its registry entry."""
    data: dict[str, Any] = load_site_data(name)
    values = {
        **get_site(name).model_dump(),
        "discovery": data.get("discovery"),
        "politeness": data.get("politeness", {}),
    }
    try:
        model = CrawlSite.model_validate(values)
    except ValidationError as exc:
        raise ValueError(f"crawler/sites/{name}.toml: invalid crawler tables: {exc}") from None
    for endpoint in model.discovery.endpoints:
        if endpoint.fallback is not None:
            model.discovery.endpoint(endpoint.fallback)  # raises on a dangling name
    return model
