"""One canonical URL and the site's own article id for every variant of a story's URL.

Variants that collapse: tracking parameters (utm_*, source, jxrecoid, tag_from, _ga, device …), paging
(`?page=`, `?single=1`, Bisnis `/2`), fragments, `http:`, AMP (`/amp/` paths on Okezone, `amp.kompas.com`)
and mobile hosts (`m.detik.com`, `m.bisnis.com`). Every site carries an article's identity in the path
alone, so the canonical URL drops the whole query. The rules are data: `[urls]` of the site file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from pantau.base.sites import Site, get_site, site_for_url


@dataclass(frozen=True)
class Canonical:
    """An article's canonical URL, its site, the site's id for it, and the date in its URL (if any)."""

    url: str
    site: str
    article_id: str
    url_date: date | None = None


def _article_re(site: str) -> re.Pattern[str]:
    return _compiled(get_site(site).urls.article)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:  # by pattern, not name: a site is whatever its file says
    return re.compile(pattern)


def canonicalize(url: str) -> Canonical | None:
    """The canonical form of an article URL of a known site; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    site = site_for_url(f"https://{host}/")
    if parts.scheme not in ("http", "https") or site is None:
        return None
    model = get_site(site)
    host, path = _desktop(model, host, parts.path or "/")
    if host in model.urls.exclude_hosts or any(bit in path for bit in model.urls.exclude_paths):
        return None
    match = _article_re(site).match(path)
    if match is None:
        return None
    canonical = f"https://{host}{match.expand(model.urls.canonical_path)}"
    return Canonical(canonical, site, match.expand(model.urls.article_id), _url_date(match))


def _desktop(model: Site, host: str, path: str) -> tuple[str, str]:
    """Map an AMP or mobile host to the desktop host; `{segment}` moves the first path segment there."""
    target = model.urls.host_aliases.get(host)
    if target is None:
        return host, path
    if "{segment}" not in target:
        return target, path
    segment, _, rest = path.lstrip("/").partition("/")
    if segment and _article_re(model.name).match("/" + rest):
        return target.format(segment=segment), "/" + rest
    return host, path  # no channel segment: keep the mobile host (the article id still dedupes)


def _url_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    try:
        return date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
    except (KeyError, TypeError, ValueError):
        return None


def single_page_url(canonical: Canonical) -> str:
    """The URL that shows the whole story on one page (`?page=all`, `?single=1`, or the URL itself)."""
    return canonical.url + get_site(canonical.site).urls.single_page


def page_number(url: str) -> int | None:
    """The page number a path-paged URL (Bisnis `…/slug/2`) points at; None when it has none."""
    site = site_for_url(url)
    if site is None:
        return None
    match = _article_re(site).match(urlsplit(url).path or "/")
    page = match.groupdict().get("page") if match else None
    return int(page) if page else None
