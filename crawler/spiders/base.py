"""NewsSiteSpider: discover article URLs on a site's listings, skip the known ones, fetch whole stories.

Flow of one run: (1) read the site's discovery endpoints (`discovery.DiscoveringSpider`): every
article URL a listing gives becomes a candidate, and the archive says which are already stored.
(2) When discovery is done (spider idle), the candidates are fetched newest first, at most
`crawl.max_pages` per run, each as its single-page view; Bisnis-style pages 2..N follow by path.
(3) Each story leaves as one `Article` item for the pipelines. A backfill (PANTAU_BACKFILL) walks
dated listings instead of (1). One subclass per site file is made by `loader.SiteSpiderLoader`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Request, TextResponse

from pantau.base.canonical import Canonical, canonicalize, page_number, single_page_url
from pantau.base.models import Article
from pantau.crawler.backfill.walker import BackfillWalker
from pantau.crawler.candidates import Candidate
from pantau.crawler.middlewares import ROBOTS_UNREACHABLE, BlockedPage
from pantau.crawler.spiders.discovery import DiscoveringSpider
from pantau.crawler.spiders.responses import describe, failed_request, is_html, page_text

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

MAX_PAGES_PER_STORY = 20


@dataclass
class _Story:
    """A story being fetched: its candidate, first page and canonical URL, and its pages 2..N so far."""

    candidate: Candidate
    first: TextResponse
    final: Canonical
    extra: list[str] = field(default_factory=list)
    done: set[int] = field(default_factory=lambda: {1})


class NewsSiteSpider(DiscoveringSpider):
    """The spider of every site: all site knowledge comes from the site file named like it."""

    backfill: BackfillWalker | None = None  # when run with PANTAU_BACKFILL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._requested: set[str] = set()  # article ids requested this run
        self._article_requests = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider with the run's page budget, run id and (in a backfill) its walker."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        pantau = crawler.settings.get("PANTAU_SETTINGS")
        if pantau is not None:
            spider.max_pages = pantau.crawl.max_pages
        spider.run_id = crawler.settings.getint("PANTAU_RUN_ID") or None
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        spider.backfill = BackfillWalker.from_crawler(spider, crawler)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """The discovery endpoints' first requests (a backfill's listing pages instead)."""
        if self.backfill is not None:  # a backfill walks dated listings instead (crawler/backfill)
            for request in self.backfill.start_requests():
                yield request
            return
        # No dont_filter: start URLs go through the same checks as every other request.
        for endpoint in self.site.discovery.endpoints:
            if not endpoint.only_as_fallback:
                for request in self.endpoint_requests(endpoint):
                    yield request
        self.add_retries("crawl")

    # --- articles -----------------------------------------------------------------------------
    def _on_idle(self) -> None:
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

    def parse_article(self, response: Response) -> list[Request | Article]:
        """The story's first page: the item, or a request for its next page (paged by path)."""
        candidate: Candidate = response.meta["candidate"]
        final = canonicalize(response.url)
        if not is_html(response):
            return self._failed(candidate, f"not HTML ({response.headers.get(b'Content-Type')!r})")
        if final is None or final.article_id != candidate.canonical.article_id:
            return self._failed(candidate, f"redirected to {response.url}, not the same article")
        self.count("pantau/fetched")
        return self._next_page(_Story(candidate, response, final), response)

    def parse_page(self, response: Response) -> list[Request | Article]:
        """Page 2..N of a story paged by path: its text joins the story's."""
        story: _Story = response.meta["story"]
        if not isinstance(response, TextResponse):  # binary: there is no page text to add
            return self._failed(story.candidate, f"page {response.url} is not text")
        story.extra.append(page_text(response))
        self.count("pantau/fetched")
        return self._next_page(story, response)

    def _next_page(self, story: _Story, response: TextResponse) -> list[Request | Article]:
        """Bisnis-style path pages: follow the next page the pager lists, else emit the story."""
        if self.site.urls.paged_by_path:
            listed = {
                page_number(response.urljoin(h))
                for h in response.css("a::attr(href)").getall()
                if _same_story(response.urljoin(h), story.final)
            }
            todo = sorted(n for n in listed if n and n not in story.done and n <= MAX_PAGES_PER_STORY)
            if todo:
                story.done.add(todo[0])
                return [
                    Request(
                        f"{story.final.url}/{todo[0]}",
                        callback=self.parse_page,
                        errback=self.article_failed,
                        meta={"story": story, "candidate": story.candidate},
                        priority=response.request.priority if response.request else 0,
                    )
                ]
        return [self._item(story)]

    def _item(self, story: _Story) -> Article:
        return Article(
            site=self.name,
            url=story.first.url,
            canonical_url=story.final.url,
            site_article_id=story.final.article_id,
            html=page_text(story.first),
            fetched_at=datetime.now(UTC),
            source=story.candidate.source,
            listed_title=story.candidate.listed_title,
            extra_pages=list(story.extra),
            backfilled=self.backfill is not None,
            run_id=self.current_run_id(),
        )

    def article_failed(self, failure: Failure) -> list[Request | Article]:
        """An article request that failed: recorded as failed (retried by a later run)."""
        candidate: Candidate = failed_request(failure).meta["candidate"]
        if isinstance(failure.value, BlockedPage):  # counted as pantau/blocked by the middleware
            return self._failed(candidate, f"blocked: {failure.value}", count=False)
        return self._failed(candidate, describe(failure))

    def _failed(self, candidate: Candidate, reason: str, *, count: bool = True) -> list[Request | Article]:
        if count:
            self.count("pantau/errors")
        self.logger.warning("article %s failed: %s", candidate.canonical.url, reason)
        self.archive_call(lambda a: a.mark_failed(candidate.canonical.url, reason[:300]), None)
        if self.backfill is not None:
            self.backfill.settled(candidate.canonical.article_id)
        return []


def _same_story(url: str, final: Canonical) -> bool:
    canonical = canonicalize(url)
    return canonical is not None and canonical.article_id == final.article_id
