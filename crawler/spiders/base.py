"""NewsSiteSpider: discover article URLs on a site's listings, skip the known ones, fetch whole stories.

Flow of one run: (1) read the site's discovery endpoints (crawler/sites/<site>.toml): sitemap indexes
(children picked at run time), news sitemaps and feeds (conditional requests), HTML listings; an
endpoint that fails or lists no article sends the spider to its fallback (logged, `pantau/fallback`).
(2) Every link is canonicalised; only article URLs are candidates, deduplicated by article id; the
archive records them and says which are already stored (skipped: `pantau/known`). (3) When discovery is
done (spider idle), the candidates are fetched newest first, at most `crawl.max_pages` per run, each as
its single-page view; Bisnis pages 2..N follow by path. A site subclass only names the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from pantau.base.canonical import Canonical, canonicalize, page_number, single_page_url
from pantau.base.sites import load_site_data
from pantau.crawler.backfill.walker import BackfillWalker
from pantau.crawler.candidates import Candidate
from pantau.crawler.listings import WIB, Listed, html_links, parse_feed, parse_sitemap
from pantau.crawler.middlewares import ROBOTS_UNREACHABLE, BlockedPage
from pantau.crawler.site_rules import Endpoint, crawl_site
from pantau.pipelines.rules import ExtractionRules

T = TypeVar("T")
LISTING_PRIORITY = 1_000_000  # listings before articles: the budget is spent newest first
MAX_PAGES_PER_STORY = 20


@dataclass
class _Outcome:
    pending: int = 0
    found: int = 0
    notes: list[str] = field(default_factory=list)


class NewsSiteSpider(scrapy.Spider):
    """Base of the four site spiders; all site knowledge comes from crawler/sites/<name>.toml."""

    archive: Any = None  # crawler.archive.CrawlArchive, set by the RunRecorder extension
    run_id: int | None = None
    backfill: BackfillWalker | None = None  # when run with PANTAU_BACKFILL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = crawl_site(self.name)
        self.allowed_domains = list(self.site.domains)
        data = load_site_data(self.name)
        self.extraction_rules = ExtractionRules.from_mapping(data)
        self.max_pages = 400
        self._candidates: dict[str, Candidate] = {}  # by article id, this run
        self._outcomes: dict[str, _Outcome] = {}
        self._known: set[str] = set()  # article ids the archive already holds
        self._requested: set[str] = set()  # article ids requested this run
        self._article_requests = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        pantau = crawler.settings.get("PANTAU_SETTINGS")
        if pantau is not None:
            spider.max_pages = pantau.crawl.max_pages
        spider.run_id = crawler.settings.getint("PANTAU_RUN_ID") or None
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        spider.backfill = BackfillWalker.from_crawler(spider, crawler)
        return spider

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        factor = crawl_site(cls.name).politeness.delay_factor
        for key in ("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY"):
            settings.set(key, settings.getfloat(key) * factor, priority="spider")

    # --- discovery ----------------------------------------------------------------------------
    async def start(self):
        if self.backfill is not None:  # a backfill walks dated listings instead (crawler/backfill)
            for request in self.backfill.start_requests():
                yield request
            return
        # No dont_filter: start URLs go through the same checks as every other request.
        for endpoint in self.site.discovery.endpoints:
            if not endpoint.only_as_fallback:
                for request in self._endpoint_requests(endpoint):
                    yield request
        self.add_retries("crawl")

    def _endpoint_requests(self, endpoint: Endpoint, urls: list[str] | None = None) -> list[Request]:
        urls = urls if urls is not None else endpoint.urls(datetime.now(WIB).date())
        self._outcomes.setdefault(endpoint.name, _Outcome()).pending += len(urls)
        return [self._listing_request(endpoint, url) for url in urls]

    def _listing_request(self, endpoint: Endpoint, url: str) -> Request:
        headers = {}
        if endpoint.kind in ("sitemap", "feed"):  # indexes are read whole: their children are needed
            etag, modified = self.archive_call(lambda a: a.validators(url), (None, None))
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

    def parse_listing(self, response):
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
            requests = [
                self._listing_request(endpoint.model_copy(update={"kind": "sitemap"}), u) for u in children
            ]
        else:
            outcome.found += self.discover(listed, response.url)
            self._save_validators(response)
        return requests + self._listing_done(endpoint)

    def _listed(self, endpoint: Endpoint, response) -> tuple[str, list[Listed]]:
        if endpoint.kind in ("sitemap", "sitemap_index"):
            kind, listed = parse_sitemap(response.body)
            return ("urlset" if endpoint.kind == "sitemap" and kind == "index" else kind), listed
        if endpoint.kind == "feed":
            return "feed", parse_feed(response.body) or []
        if not isinstance(response, TextResponse) or (endpoint.empty_marker or "\0") in response.text:
            return "listing", []
        return "listing", html_links(response)

    def listing_failed(self, failure):
        request = failure.request
        endpoint = self.site.discovery.endpoint(request.meta["endpoint"])
        self._outcomes[endpoint.name].notes.append(f"{request.url}: {_describe(failure)}")
        if not failure.check(BlockedPage):  # block pages are counted by the middleware
            self.count("pantau/errors")
        # Once robots.txt was unreachable (said once, by the middleware) every listing fails: DEBUG.
        quiet = self.crawler.stats.get_value(ROBOTS_UNREACHABLE) is not None
        log = self.logger.debug if quiet else self.logger.warning
        log("listing %s failed: %s", request.url, _describe(failure))
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
        quiet = self.crawler.stats.get_value(ROBOTS_UNREACHABLE) is not None
        (self.logger.debug if quiet else self.logger.warning)(
            "fallback: %s -> %s (%s)", endpoint.name, fallback.name, why
        )
        self.count("pantau/fallback")
        return self._endpoint_requests(fallback)

    # --- the interface a backfill walker drives (pantau.crawler.candidates.CandidateSink) ----------
    def add_retries(self, kind: str) -> None:
        """Make the URLs due again (failed earlier, or listed and never stored) candidates of this run."""
        due: list[Any] = self.archive_call(lambda a: a.retry_due(self.name, kind=kind), [])
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
            if seen is None or (seen.canonical.url != canonical.url and _is_alias(self, seen)):
                new[canonical.article_id] = Candidate(canonical, source, entry.title, entry.published)
        if new:
            self._record(list(new.values()))
        return found

    def _record(self, candidates: list[Candidate]) -> None:
        from pantau.crawler.archive import Discovered

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

    def _save_validators(self, response) -> None:
        etag, modified = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
        if etag or modified:
            url = response.meta["listing_url"]
            values = [v.decode("latin-1") if v else None for v in (etag, modified)]
            self.archive_call(lambda a: a.save_validators(url, *values), None)

    # --- articles -----------------------------------------------------------------------------
    def _on_idle(self):
        if self.crawler.stats.get_value(ROBOTS_UNREACHABLE):
            raise CloseSpider("robots_unreachable")
        pending = sorted(
            (c for k, c in self._candidates.items() if k not in self._known and k not in self._requested),
            key=Candidate.sort_key,
            reverse=True,
        )
        budget = max(0, self.max_pages - self._article_requests)
        if len(pending) > budget:
            self.logger.warning(
                "page budget reached: %d stories left for the next run", len(pending) - budget
            )
            self.crawler.stats.set_value("pantau/deferred", len(pending) - budget)
        chosen = pending[:budget]
        for rank, candidate in enumerate(chosen):
            self._requested.add(candidate.canonical.article_id)
            self._article_requests += 1
            self.crawler.engine.crawl(self._article_request(candidate, len(chosen) - rank))
        if chosen:
            raise DontCloseSpider

    def _article_request(self, candidate: Candidate, priority: int) -> Request:
        return Request(
            single_page_url(candidate.canonical),
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"candidate": candidate},
            priority=priority,
        )

    def parse_article(self, response):
        candidate: Candidate = response.meta["candidate"]
        final = canonicalize(response.url)
        if not _is_html(response):
            return self._failed(candidate, f"not HTML ({response.headers.get(b'Content-Type')!r})")
        if final is None or final.article_id != candidate.canonical.article_id:
            return self._failed(candidate, f"redirected to {response.url}, not the same article")
        self.count("pantau/fetched")
        state = {"candidate": candidate, "first": response, "final": final, "extra": [], "done": {1}}
        return self._next_page(state, response)

    def parse_page(self, response):
        state = response.meta["state"]
        state["extra"].append(_page_text(response))
        self.count("pantau/fetched")
        return self._next_page(state, response)

    def _next_page(self, state: dict[str, Any], response):
        """Bisnis-style path pages: follow the next page the pager lists, else emit the story."""
        if self.site.urls.paged_by_path:
            listed = {
                page_number(response.urljoin(h))
                for h in response.css("a::attr(href)").getall()
                if _same_story(response.urljoin(h), state["final"])
            }
            todo = sorted(n for n in listed if n and n not in state["done"] and n <= MAX_PAGES_PER_STORY)
            if todo:
                state["done"].add(todo[0])
                return [
                    Request(
                        f"{state['final'].url}/{todo[0]}",
                        callback=self.parse_page,
                        errback=self.article_failed,
                        meta={"state": state, "candidate": state["candidate"]},
                        priority=response.request.priority if response.request else 0,
                    )
                ]
        return [self._item(state)]

    def _item(self, state: dict[str, Any]):
        from pantau.base.models import Article

        first, candidate, final = state["first"], state["candidate"], state["final"]
        return Article(
            site=self.name,
            url=first.url,
            canonical_url=final.url,
            site_article_id=final.article_id,
            html=_page_text(first),
            fetched_at=datetime.now(UTC),
            source=candidate.source,
            listed_title=candidate.listed_title,
            extra_pages=list(state["extra"]),
            backfilled=self.backfill is not None,
            run_id=self._run_id(),
        )

    def article_failed(self, failure):
        candidate: Candidate = failure.request.meta["candidate"]
        if failure.check(BlockedPage):  # counted as pantau/blocked by the middleware
            return self._failed(candidate, f"blocked: {failure.value}", count=False)
        return self._failed(candidate, _describe(failure))

    def _failed(self, candidate: Candidate, reason: str, *, count: bool = True) -> list[Any]:
        if count:
            self.count("pantau/errors")
        self.logger.warning("article %s failed: %s", candidate.canonical.url, reason)
        self.archive_call(lambda a: a.mark_failed(candidate.canonical.url, reason[:300]), None)
        if self.backfill is not None:
            self.backfill.settled(candidate.canonical.article_id)
        return []

    # --- helpers ------------------------------------------------------------------------------
    def _run_id(self) -> int | None:
        return getattr(self.archive, "run_id", None) or self.run_id

    def count(self, key: str) -> None:
        """Add one to a crawl statistic."""
        self.crawler.stats.inc_value(key)

    def archive_call(self, work: Callable[[Any], T], default: T) -> T:
        """Run one archive call; without an archive (unit runs) or when it fails, the default."""
        if self.archive is None:
            return default
        try:
            return work(self.archive)
        except Exception as exc:  # a database error must not end discovery: log, count, go on
            self.count("pantau/archive_errors")
            self.logger.error("archive call failed: %s", exc)
            return default


def _is_html(response) -> bool:
    """An HTML page: a text response whose Content-Type (if any) is HTML or XHTML.

    Scrapy sniffs a body without control characters as text whatever its declared type, so a PDF
    served as application/pdf can arrive as a TextResponse; the declared type decides here.
    """
    declared = (response.headers.get(b"Content-Type") or b"text/html").split(b";")[0].strip().lower()
    return isinstance(response, TextResponse) and declared in (b"text/html", b"application/xhtml+xml")


def _page_text(response) -> str:
    """The page decoded as a browser would: its declared charset, else UTF-8, else windows-1252.

    Scrapy guesses an undeclared charset with charset_normalizer, which reads an Indonesian
    windows-1252 page as cp1250 ("Crčme Brűlée"); WHATWG's fallback for the id locale is windows-1252.
    """
    if response._declared_encoding() is not None:  # Content-Type header, BOM or <meta charset>
        return str(response.text)
    try:
        return str(response.body.decode("utf-8"))
    except UnicodeDecodeError:
        return str(response.body.decode("cp1252", errors="replace"))


def _same_story(url: str, final: Canonical) -> bool:
    canonical = canonicalize(url)
    return canonical is not None and canonical.article_id == final.article_id


def _is_alias(spider: NewsSiteSpider, seen: Candidate) -> bool:
    """True if the URL seen first is on an AMP/mobile host (a desktop URL should replace it)."""
    host = seen.canonical.url.split("/")[2]
    return host in spider.site.urls.host_aliases


def _describe(failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.value}"
