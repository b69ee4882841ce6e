"""The crawler's typed view of a site's data file: hosts, article URLs, discovery endpoints, politeness.

Only the crawler tables ([site], [urls], [discovery], [politeness]) are read here; the pipelines read
their own. Validation happens once per process, so a typo in a site file fails at start-up, naming it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.sites import load_site_data

EndpointKind = Literal["sitemap_index", "sitemap", "listing", "feed"]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
    return value


class UrlRules(_Table):
    """Which URLs are articles and how each maps to one canonical URL and id."""

    article: str  # regex over the URL path
    canonical_path: str  # re.Match.expand template
    article_id: str  # re.Match.expand template
    exclude_hosts: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()  # substrings of the path
    host_aliases: dict[str, str] = Field(default_factory=dict)  # AMP/mobile host -> desktop host
    single_page: str = ""  # query appended to the canonical URL to get the whole story
    paged_by_path: bool = False  # pages 2..N live at <canonical>/<n>

    _article = field_validator("article")(_check_regex)


class Endpoint(_Table):
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

    _regexes = field_validator("children", "expect")(_check_regex)

    def urls(self, today: date) -> list[str]:
        """The concrete URLs of this endpoint for a day (WIB), newest date first."""
        days = [today - timedelta(days=n) for n in range(self.days)] if "{date}" in self.url else [today]
        pages = self.pages if "{page}" in self.url else (1,)
        return [self.url.format(date=d.strftime(self.date_format), page=p) for d in days for p in pages]


class Discovery(_Table):
    """The site's listings, in the order they are read, and the pre-filter rule in words."""

    prefilter: str
    endpoints: tuple[Endpoint, ...]

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint called `name`."""
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        raise KeyError(f"no discovery endpoint named {name!r}")


class Politeness(_Table):
    """Per-site pace and back-off."""

    delay_factor: float = Field(1.0, ge=0.5)
    blocked_after: int = Field(3, ge=1)


class SiteModel(_Table):
    """Everything the crawler knows about one site."""

    name: str
    domains: tuple[str, ...]
    urls: UrlRules
    discovery: Discovery
    politeness: Politeness = Field(default_factory=Politeness)

    def owns_host(self, host: str) -> bool:
        """True if the host is one of the site's domains or a subdomain of one."""
        return any(host == d or host.endswith("." + d) for d in self.domains)


@cache
def site_model(name: str) -> SiteModel:
    """The validated crawler tables of crawler/sites/<name>.toml."""
    data: dict[str, Any] = load_site_data(name)
    site = data.get("site", {})
    values = {
        "name": site.get("name", name),
        "domains": site.get("domains", ()),
        "urls": data.get("urls"),
        "discovery": data.get("discovery"),
        "politeness": data.get("politeness", {}),
    }
    try:
        model = SiteModel.model_validate(values)
    except ValidationError as exc:
        raise ValueError(f"crawler/sites/{name}.toml: invalid crawler tables: {exc}") from None
    for endpoint in model.discovery.endpoints:
        if endpoint.fallback is not None:
            model.discovery.endpoint(endpoint.fallback)  # raises on a dangling name
    return model
