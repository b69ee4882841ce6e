"""BackfillWalker: one chunk of a backfill, walked inside the site's own spider.

The runner starts `scrapy crawl <site> -s PANTAU_BACKFILL=<job json>`; the spider then reads no
discovery endpoint: this walker requests the chunk's listing pages (one page of a walk after the
other, since each page decides whether there is a next), hands the article URLs it keeps to the
spider's usual candidate path (archive bookkeeping, known URLs skipped, budget, pipelines), and
checkpoints a page once every article it listed is stored or recorded as failed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from pantau.base.topics import term_pattern
from pantau.crawler.backfill.plan import Chunk, Range, Walk, next_page, pending, walks
from pantau.crawler.backfill.reading import Item, listed_items
from pantau.crawler.candidates import LISTING_PRIORITY
from pantau.crawler.listings import WIB, Listed
from pantau.crawler.middlewares import BlockedPage
from pantau.storage import backfill as store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from pantau.crawler.candidates import CandidateSink
    from pantau.pipelines.topics import Topic
    from pantau.storage.backfill import Checkpoint

log = logging.getLogger(__name__)
SETTING = "PANTAU_BACKFILL"


class Job(BaseModel):
    """What one child crawl backfills: the range, the chunk (an ISO week) and the topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    since: date
    until: date
    week: date
    topic: str


@dataclass
class _Page:
    walk: Walk
    page: int
    ids: list[str]
    waiting: set[str]
    oldest: date | None
    ended: str | None


@dataclass
class _Run:
    """One walk within this process: ids seen so far, pages parsed, the oldest date reached."""

    seen: set[str] = field(default_factory=set)
    pages: int = 0
    floor: date | None = None


class BackfillWalker:
    """Walks a chunk's listings for a spider and checkpoints each page once its articles are settled."""

    def __init__(self, spider: CandidateSink, job: Job, topic: Topic, today: date) -> None:
        self.spider = spider
        self.site = spider.name
        self.job = job
        self.span = Range(job.since, job.until, today)
        self.chunk = Chunk(job.week, max(job.week, job.since), min(job.until, job.week + timedelta(days=6)))
        self.groups = [re.compile(term_pattern(g.terms), re.IGNORECASE) for g in topic.required]
        self._done: dict[str, dict[int, Checkpoint]] = {}
        self._runs: dict[str, _Run] = {}
        self._open: list[_Page] = []
        self._settled: set[str] = set()

    @classmethod
    def from_crawler(cls, spider: CandidateSink, crawler: Crawler) -> BackfillWalker | None:
        """The walker of a backfill crawl (PANTAU_BACKFILL set), connected to the item signals; else None."""
        raw = crawler.settings.get(SETTING)
        if not raw:
            return None
        from pantau.pipelines.topics import load_topics

        job = Job.model_validate_json(raw)
        topics = {t.name: t for t in load_topics(crawler.settings["PANTAU_SETTINGS"].topics_dir)}
        walker = cls(spider, job, topics[job.topic], datetime.now(WIB).date())
        crawler.signals.connect(walker.item_settled, signal=signals.item_scraped)
        crawler.signals.connect(walker.item_settled, signal=signals.item_dropped)
        crawler.signals.connect(walker.item_settled, signal=signals.item_error)
        return walker

    # --- listing pages ------------------------------------------------------------------------
    def start_requests(self) -> list[Request]:
        """Page requests of the chunk's open walks; earlier backfill failures join the candidates."""
        keys = [w.key for w in walks(self.site, self.job.topic, self.chunk)]
        empty: list[Checkpoint] = []
        checkpoints = self.spider.archive_call(
            lambda a: store.checkpoints(a.connection, self.site, keys), empty
        )
        requests = []
        for walk, walk_state in pending(self.site, self.job.topic, self.chunk, checkpoints, self.span):
            self._done[walk.key] = walk_state.done
            assert walk_state.next_page is not None
            requests.append(self._request(walk, walk_state.next_page))
        self.spider.add_retries("backfill")
        log.info("backfill of %s, week of %s: %d walk(s) to do", self.site, self.job.week, len(requests))
        return requests

    def _request(self, walk: Walk, page: int) -> Request:
        return Request(
            walk.url(page),
            callback=self.parse,
            errback=self.failed,
            meta={"walk": walk, "page": page},
            priority=LISTING_PRIORITY,
        )

    def parse(self, response: Any) -> None:
        """Keep a page's in-range (and prefiltered) article URLs, then request the walk's next page."""
        walk: Walk = response.meta["walk"]
        page: int = response.meta["page"]
        self.spider.count("pantau/backfill_listings")
        kept, oldest, ended = self._judge(walk, page, self._items(walk, response))
        listed = [Listed(i.canonical.url, i.title, _midnight(i.when)) for i in kept]
        self.spider.discover(listed, response.url)
        ids = list(dict.fromkeys(i.canonical.article_id for i in kept))
        waiting = {i for i in ids if not self.spider.is_known(i) and i not in self._settled}
        self._open.append(_Page(walk, page, ids, waiting, oldest, ended))
        self._close_settled()
        following = self._following(walk, page, oldest, ended)
        if following is not None:
            self.spider.crawler.engine.crawl(self._request(walk, following))

    def _following(self, walk: Walk, page: int, oldest: date | None, ended: str | None) -> int | None:
        if ended is not None:
            return None
        if walk.listing.kind == "stream" and oldest is not None and oldest < self.chunk.start:
            return None  # reached back past this chunk: the next chunk resumes here
        return next_page(walk, self._done.get(walk.key, {}), page, since=self.span.since, chunk=self.chunk)

    def failed(self, failure: Any) -> None:
        """A listing page failed: its walk stops here, unchecked (a later run asks again), except
        when robots.txt forbids it: then the walk ends for good (`forbidden`), as a crawl would skip it."""
        request = failure.request
        if failure.check(IgnoreRequest) and str(failure.value).startswith("Forbidden by robots.txt"):
            log.warning("backfill listing %s is forbidden by robots.txt: not walked", request.url)
            self._open.append(_Page(request.meta["walk"], request.meta["page"], [], set(), None, "forbidden"))
            self._close_settled()
            return
        if not failure.check(BlockedPage):  # block pages are counted by the middleware
            self.spider.count("pantau/errors")
        log.warning("backfill listing %s failed: %s", request.url, failure.getErrorMessage())

    def _items(self, walk: Walk, response: Any) -> list[Item]:
        """The page's article links of this site in order, with the title and date listed."""
        return listed_items(self.site, walk, response)

    def _judge(self, walk: Walk, page: int, items: list[Item]) -> tuple[list[Item], date | None, str | None]:
        """(items to fetch, the page's oldest date, why the walk ends here or None)."""
        run = self._runs.setdefault(walk.key, _Run(floor=_floor(self._done.get(walk.key, {}), page)))
        if not items:
            return [], None, "empty"
        ended = None
        if walk.listing.kind == "stream":  # newest first: a date going back up is padding
            for n, item in enumerate(items):
                if item.when is not None and run.floor is not None and item.when > run.floor:
                    items, ended = items[:n], "padding"
                    break
                run.floor = item.when if run.floor is None or item.when is None else min(run.floor, item.when)
        ids = {i.canonical.article_id for i in items}
        if run.pages and not ids - run.seen:
            return [], None, ended or "repeat"
        run.seen |= ids
        run.pages += 1
        dates = [i.when for i in items if i.when is not None]
        oldest = min(dates) if dates else None
        if walk.day is None:  # tags and searches list any date: keep the asked range
            items = [i for i in items if i.when is None or self.span.since <= i.when <= self.span.until]
            if oldest is not None and oldest < self.span.since:
                ended = ended or "since"
        items = [i for i in items if self._wanted(walk.listing.prefilter, i)]
        if ended is None and page >= walk.listing.max_pages:
            ended = "limit"
        return items, oldest, ended

    def _wanted(self, prefilter: str, item: Item) -> bool:
        if prefilter == "none":
            return True
        hits = [bool(group.search(item.words)) for group in self.groups]
        return any(hits) if prefilter == "any" else all(hits)

    # --- settling and checkpoints ---------------------------------------------------------------
    def item_settled(self, item: Any, *_args: Any, **_kwargs: Any) -> None:
        """An item was stored, dropped or failed in a pipeline (the recorder marked it failed)."""
        self.settled(getattr(item, "site_article_id", ""))

    def settled(self, article_id: str) -> None:
        """An article of this run is stored or recorded as failed."""
        self._settled.add(article_id)
        for page in self._open:
            page.waiting.discard(article_id)
        self._close_settled()

    def _close_settled(self) -> None:
        ready = [page for page in self._open if not page.waiting]
        self._open = [page for page in self._open if page.waiting]
        for page in ready:
            self._checkpoint(page)

    def _checkpoint(self, page: _Page) -> None:
        def save(archive: Any) -> bool:
            return store.save_checkpoint(
                archive.connection,
                self.site,
                page.walk.key,
                page.page,
                ids=page.ids,
                oldest=page.oldest,
                ended=page.ended,
            )

        if self.spider.archive_call(save, False):
            self.spider.count("pantau/backfill_pages")
        else:
            log.warning(
                "backfill page %s not checkpointed: an article is neither stored nor failed",
                page.walk.url(page.page),
            )


def _floor(done: dict[int, Checkpoint], page: int) -> date | None:
    previous = done.get(page - 1)
    return previous.oldest if previous is not None else None


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=WIB) if day is not None else None
