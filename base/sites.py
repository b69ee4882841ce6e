"""The site registry: one TOML file per site (crawler/sites/<site>.toml), read once per process.

Every layer asks here which sites exist, which site a URL belongs to and what its `[site]` and
`[urls]` tables say; each layer validates the tables it owns itself (the crawler its discovery, the
pipelines their extraction rules).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# The site files are the crawler's data folder; base and crawler sit side by side both in the
# repository and installed (pantau/base, pantau/crawler), and resolve() sees through editable links.
SHIPPED_SITES_DIR = Path(__file__).resolve().parent.parent / "crawler" / "sites"
SITE_NAMES = ("okezone", "detik", "bisnis", "kompas")
_DOMAINS = {"okezone.com": "okezone", "detik.com": "detik", "bisnis.com": "bisnis", "kompas.com": "kompas"}


@cache
def load_site_data(name: str) -> dict[str, Any]:
    """The raw tables of crawler/sites/<name>.toml."""
    if name not in SITE_NAMES:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(SITE_NAMES)}")
    return tomllib.loads((SHIPPED_SITES_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def site_for_url(url: str) -> str | None:
    """The site a URL belongs to by its registrable domain (amp./m./news. hosts included), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for domain, name in _DOMAINS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return None


class Table(BaseModel):
    """A table of a site file: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
    return value


def check_regex(value: str | None) -> str | None:
    """A field validator: the value compiles as a regular expression (or is None)."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
    return value


class UrlRules(Table):
    """Which URLs are articles and how each maps to one canonical URL and id."""

    article: str  # regex over the URL path
    canonical_path: str  # re.Match.expand template
    article_id: str  # re.Match.expand template
    exclude_hosts: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()  # substrings of the path
    host_aliases: dict[str, str] = Field(default_factory=dict)  # AMP/mobile host -> desktop host
    single_page: str = ""  # query appended to the canonical URL to get the whole story
    paged_by_path: bool = False  # pages 2..N live at <canonical>/<n>

    _article = field_validator("article")(check_regex)


class Site(Table):
    """What every layer knows of a site: its name, hosts and article URL rules."""

    name: str
    domains: tuple[str, ...]
    urls: UrlRules

    def owns_host(self, host: str) -> bool:
        """True if the host is one of the site's domains or a subdomain of one."""
        return any(host == d or host.endswith("." + d) for d in self.domains)


@cache
def get_site(name: str) -> Site:
    """The validated [site] and [urls] tables of crawler/sites/<name>.toml."""
    data = load_site_data(name)
    values = {
        "name": data.get("site", {}).get("name", name),
        "domains": data.get("site", {}).get("domains", ()),
        "urls": data.get("urls"),
    }
    try:
        return Site.model_validate(values)
    except ValidationError as exc:
        raise ValueError(f"crawler/sites/{name}.toml: invalid [site] or [urls]: {exc}") from None
