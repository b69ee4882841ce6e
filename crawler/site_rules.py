"""The crawler's typed view of a site's data file: discovery endpoints and politeness.

Only the crawler's own tables ([discovery], [politeness]) are read here, over the registry's
[site] and [urls] (`pantau.base.sites`). Validation happens once per process, so a typo in a site
file fails at start-up, naming it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from pantau.base.errors import describe_validation_error
from pantau.base.sites import Site, SiteFileError, Table, check_regex, read_site, read_site_file, site_file

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

    @property
    def names(self) -> set[str]:
        """The endpoints' names."""
        return {endpoint.name for endpoint in self.endpoints}

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


def crawl_site(name: str) -> CrawlSite:
    """The validated crawler tables of site `name`'s file, over its registry entry."""
    return _crawl_site(site_file(name))


@cache  # by file, so a site is always what its file says, whichever registry named it
def _crawl_site(path: Path) -> CrawlSite:
    data: dict[str, Any] = read_site_file(path)
    values = {
        **read_site(path).model_dump(),
        "discovery": data.get("discovery"),
        "politeness": data.get("politeness", {}),
    }
    try:
        model = CrawlSite.model_validate(values)
    except ValidationError as exc:
        raise SiteFileError(f"site file {path}: {describe_validation_error(exc, show_input=False)}") from None
    for endpoint in model.discovery.endpoints:
        if endpoint.fallback is not None and endpoint.fallback not in model.discovery.names:
            raise SiteFileError(
                f"site file {path}: 'discovery.endpoints': {endpoint.name!r} falls back to"
                f" {endpoint.fallback!r}, which no endpoint is called; fix its 'fallback'"
            )
    return model
