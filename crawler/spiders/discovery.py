"""DiscoveringSpider: read a site's listings and turn the article URLs they give into candidates.

The endpoints are the site file's `[discovery]`: sitemap indexes (children picked at run time),
news sitemaps and feeds (conditional requests), HTML listings. An endpoint that fails or lists no
article sends the spider to its fallback (logged, `pantau/fallback`). Every link is canonicalised;
only article URLs become candidates, one per article id; the archive records them and says which
it holds already (`pantau/known`). A backfill walker hands in its URLs through the same methods
(`pantau.crawler.candidates.CandidateSink`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, TextResponse

from pantau.base.canonical import canonicalize
from pantau.crawler.archive import Discovered
from pantau.crawler.candidates import LISTING_PRIORITY, Candidate
from pantau.crawler.listings import WIB, Listed, html_links, parse_feed, parse_sitemap
from pantau.crawler.middlewares import ROBOTS_UNREACHABLE, BlockedPage
from pantau.crawler.spiders.common import SiteSpider
from pantau.crawler.spiders.responses import describe, failed_request

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from pantau.crawler.site_rules import Endpoint


@dataclass
class _Outcome:
    """One endpoint in this run: pages still out, article URLs found, why it failed."""

    pending: int = 0
    found: int = 0
    notes: list[str] = field(default_factory=list)


class DiscoveringSpider(SiteSpider):
    """Listings in, candidates out: the discovery half of a site's spider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._candidates: dict[str, Candidate] = {}  # by article id, this run
        self._outcomes: dict[str, _Outcome] = {}
        self._known: set[str] = set()  # article ids the archive already holds

    # --- listings -----------------------------------------------------------------------------
    def endpoint_requests(self, endpoint: Endpoint) -> list[Request]:
        """The requests of one endpoint's pages today (WIB), counted as pending."""
        urls = endpoint.urls(datetime.now(WIB).date())
        self._outcomes.setdefault(endpoint.name, _Outcome()).pending += len(urls)
        return [self._listing_request(endpoint, url) for url in urls]

    def _listing_request(self, endpoint: Endpoint, url: str) -> Request:
        headers = {}
        if endpoint.kind in ("sitemap", "feed"):  # indexes are read whole: their children are needed
            unknown: tuple[str | None, str | None] = (None, None)
            etag, modified = self.archive_call(lambda a: a.validators(url), unknown)
            headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        meta = {"endpoint": endpoint.name, "listing_url": url, "handle_httpstatus_list": [304]}
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            headers=headers,
            meta=meta,
            priority=LISTING_PRIORITY,
        )

    def parse_listing(self, response: Response) -> list[Request]:
        """Candidates from a listing page; a sitemap index's children as further requests."""
        endpoint = self.site.discovery.endpoint(response.meta["endpoint"])
        outcome = self._outcomes[endpoint.name]
        if response.status == 304:  # not modified: nothing new, and nothing wrong
            outcome.found += 1
            return self._listing_done(endpoint)
        kind, listed = self._listed(endpoint, response)
        requests: list[Request] = []
        if kind == "index":
            children = [x.url for x in listed if re.search(endpoint.children or ".", x.url)]
            if endpoint.expect and not any(re.search(endpoint.expect, url) for url in children):
                outcome.notes.append(f"no child sitemap matching {endpoint.expect!r} in {response.url}")
            else:
                outcome.found += len(children)
            outcome.pending += len(children)
            child = endpoint.model_copy(update={"kind": "sitemap"})
            requests = [self._listing_request(child, url) for url in children]
        else:
            outcome.found += self.discover(listed, response.url)
            self._save_validators(response)
        return requests + self._listing_done(endpoint)

    def _listed(self, endpoint: Endpoint, response: Response) -> tuple[str, list[Listed]]:
        if endpoint.kind in ("sitemap", "sitemap_index"):
            kind, listed = parse_sitemap(response.body)
            return ("urlset" if endpoint.kind == "sitemap" and kind == "index" else kind), listed
        if endpoint.kind == "feed":
            return "feed", parse_feed(response.body) or []
        if not isinstance(response, TextResponse) or (endpoint.empty_marker or "\0") in response.text:
            return "listing", []
        return "listing", html_links(response)

    def listing_failed(self, failure: Failure) -> list[Request]:
        """A listing page that could not be read: noted for its endpoint (and counted unless blocked)."""
        request = failed_request(failure)
        endpoint = self.site.discovery.endpoint(request.meta["endpoint"])
        self._outcomes[endpoint.name].notes.append(f"{request.url}: {describe(failure)}")
        if not isinstance(failure.value, BlockedPage):  # block pages are counted by the middleware
            self.count("pantau/errors")
        self._say("listing %s failed: %s", request.url, describe(failure))
        return self._listing_done(endpoint)

    def _listing_done(self, endpoint: Endpoint) -> list[Request]:
        """When all of an endpoint's pages are in and none listed an article, read its fallback."""
        outcome = self._outcomes[endpoint.name]
        outcome.pending -= 1
        if outcome.pending > 0 or outcome.found > 0 or endpoint.fallback is None:
            return []
        fallback = self.site.discovery.endpoint(endpoint.fallback)
        if fallback.name in self._outcomes:
            return []
        why = "; ".join(outcome.notes) or "no article URL listed"
        self._say("fallback: %s -> %s (%s)", endpoint.name, fallback.name, why)
        self.count("pantau/fallback")
        return self.endpoint_requests(fallback)

    def _say(self, message: str, *args: object) -> None:
        """A WARNING, or DEBUG once robots.txt was unreachable (said once, by the middleware): every
        listing then fails, and its fallbacks too, as a consequence."""
        quiet = self.crawler.stats.get_value(ROBOTS_UNREACHABLE) is not None
        self.logger.log(logging.DEBUG if quiet else logging.WARNING, message, *args)

    def _save_validators(self, response: Response) -> None:
        etag, modified = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
        if etag or modified:
            url = response.meta["listing_url"]
            values = [v.decode("latin-1") if v else None for v in (etag, modified)]
            self.archive_call(lambda a: a.save_validators(url, *values), None)

    # --- the interface a backfill walker drives (pantau.crawler.candidates.CandidateSink) ----------
    def add_retries(self, kind: str) -> None:
        """Make the URLs due again (failed earlier, or listed and never stored) candidates of this run."""
        due: list[Discovered] = self.archive_call(lambda a: a.retry_due(self.name, kind=kind), [])
        for row in due:
            canonical = canonicalize(row.canonical_url)
            if canonical is not None and canonical.article_id not in self._candidates:
                self._candidates[canonical.article_id] = Candidate(canonical, row.source, row.listed_title)
                self.count("pantau/retried")

    def is_known(self, article_id: str) -> bool:
        """True if the archive already holds the article (it will not be fetched)."""
        return article_id in self._known

    def discover(self, listed: list[Listed], source: str) -> int:
        """Add the article URLs among `listed` as candidates; returns how many article URLs it held."""
        new: dict[str, Candidate] = {}
        found = 0
        for entry in listed:
            canonical = canonicalize(entry.url)
            if canonical is None or canonical.site != self.name:
                continue
            found += 1
            seen = self._candidates.get(canonical.article_id) or new.get(canonical.article_id)
            if seen is not None:  # a later listing may know the date or title the first did not
                seen.listed_at = seen.listed_at or entry.published
                seen.listed_title = seen.listed_title or entry.title
            if seen is None or (seen.canonical.url != canonical.url and self._is_alias(seen)):
                new[canonical.article_id] = Candidate(canonical, source, entry.title, entry.published)
        if new:
            self._record(list(new.values()))
        return found

    def _is_alias(self, seen: Candidate) -> bool:
        """True if the URL seen first is on an AMP/mobile host (a desktop URL should replace it)."""
        host = seen.canonical.url.split("/")[2]
        return host in self.site.urls.host_aliases

    def _record(self, candidates: list[Candidate]) -> None:
        rows = [
            Discovered(c.canonical.url, self.name, c.canonical.article_id, c.source, c.listed_title)
            for c in candidates
        ]
        self.archive_call(lambda a: a.record_discovered(rows), None)
        urls = [c.canonical.url for c in candidates]
        known: set[str] = self.archive_call(lambda a: a.known(urls), set())
        waiting: set[str] = self.archive_call(lambda a: a.backing_off(urls), set())
        for candidate in candidates:
            article_id = candidate.canonical.article_id
            if article_id not in self._candidates:
                self.count("pantau/discovered")
            self._candidates[article_id] = candidate
            if candidate.canonical.url in known and article_id not in self._known:
                self.count("pantau/known")
                self._known.add(article_id)
            elif candidate.canonical.url in waiting and article_id not in self._known:
                self.count("pantau/backing_off")  # a failure (a block page too) waits like any other
                self._known.add(article_id)
