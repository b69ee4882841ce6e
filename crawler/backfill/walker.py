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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict
from scrapy import signals
from scrapy.http import Request, TextResponse

from crawler.backfill.plan import Chunk, Range, Walk, next_page, pending, walks
from crawler.canonical import Canonical, canonicalize
from crawler.spiders.listings import WIB, Listed, html_links
from pipelines.dates import parse_indonesian
from pipelines.topics import term_pattern
from storage import backfill as store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.spiders.base import NewsSiteSpider
    from pipelines.topics import Topic
    from storage.backfill import Checkpoint

log = logging.getLogger(__name__)
SETTING = "PANTAU_BACKFILL"
LISTING_PRIORITY = 1_000_000  # listings before articles, as in a crawl


class Job(BaseModel):
    """What one child crawl backfills: the range, the chunk (an ISO week) and the topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    since: date
    until: date
    week: date
    topic: str


@dataclass(frozen=True)
class _Item:
    canonical: Canonical
    title: str | None
    when: date | None

    @property
    def words(self) -> str:
        """Title and slug, for the topic prefilter."""
        slug = self.canonical.url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        return f"{self.title or ''} {slug}"


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

    def __init__(self, spider: NewsSiteSpider, job: Job, topic: Topic, today: date) -> None:
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
    def from_crawler(cls, spider: NewsSiteSpider, crawler: Crawler) -> BackfillWalker | None:
        """The walker of a backfill crawl (PANTAU_BACKFILL set), connected to the item signals; else None."""
        raw = crawler.settings.get(SETTING)
        if not raw:
            return None
        from pipelines.relevance import load_topics

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
        checkpoints = self.spider._archive_call(
            lambda a: store.checkpoints(a.connection, self.site, keys), empty
        )
        requests = []
        for walk, walk_state in pending(self.site, self.job.topic, self.chunk, checkpoints, self.span):
            self._done[walk.key] = walk_state.done
            assert walk_state.next_page is not None
            requests.append(self._request(walk, walk_state.next_page))
        self._retry_failures()
        log.info("backfill of %s, week of %s: %d walk(s) to do", self.site, self.job.week, len(requests))
        return requests

    def _retry_failures(self) -> None:
        from crawler.spiders.base import Candidate

        due: list[Any] = self.spider._archive_call(lambda a: a.retry_due(self.site, kind="backfill"), [])
        for row in due:
            canonical = canonicalize(row.canonical_url)
            if canonical is not None and canonical.article_id not in self.spider._candidates:
                self.spider._candidates[canonical.article_id] = Candidate(
                    canonical, row.source, row.listed_title
                )
                self.spider._inc("pantau/retried")

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
        self.spider._inc("pantau/backfill_listings")
        kept, oldest, ended = self._judge(walk, page, self._items(walk, response))
        listed = [Listed(i.canonical.url, i.title, _midnight(i.when)) for i in kept]
        self.spider._discover(listed, response.url)
        ids = list(dict.fromkeys(i.canonical.article_id for i in kept))
        waiting = {i for i in ids if i not in self.spider._known and i not in self._settled}
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
        """A listing page failed (robots, block page, HTTP error): its walk stops here, unchecked."""
        self.spider._inc("pantau/errors")
        log.warning("backfill listing %s failed: %s", failure.request.url, failure.getErrorMessage())

    def _items(self, walk: Walk, response: Any) -> list[_Item]:
        """The page's article links in order (one per article), with the title and date listed."""
        listing = walk.listing
        if not isinstance(response, TextResponse) or (listing.empty_marker or "\0") in response.text:
            return []
        found: dict[str, _Item] = {}
        for url, title, text in _links(response, listing.item):
            canonical = canonicalize(_unwrap(url, listing.unwrap))
            if canonical is None or canonical.site != self.site:
                continue
            if canonical.article_id in found:  # the image link came first: keep the longer title
                if title and len(title) > len(found[canonical.article_id].title or ""):
                    found[canonical.article_id] = _Item(canonical, title, found[canonical.article_id].when)
                continue
            parsed = parse_indonesian(text) if text else None
            when = parsed.value.astimezone(WIB).date() if parsed else canonical.url_date or walk.day
            found[canonical.article_id] = _Item(canonical, title, when)
        return list(found.values())

    def _judge(
        self, walk: Walk, page: int, items: list[_Item]
    ) -> tuple[list[_Item], date | None, str | None]:
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

    def _wanted(self, prefilter: str, item: _Item) -> bool:
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

        if self.spider._archive_call(save, False):
            self.spider._inc("pantau/backfill_pages")
        else:
            log.warning(
                "backfill page %s not checkpointed: an article is neither stored nor failed",
                page.walk.url(page.page),
            )


def _links(response: Any, item_selector: str | None) -> Sequence[tuple[str, str | None, str]]:
    """(url, title, the item's text for its date) per link; without an item selector, no date text."""
    if item_selector is None:
        return [(x.url, x.title, "") for x in html_links(response)]
    found: list[tuple[str, str | None, str]] = []
    for node in response.css(item_selector):
        text = " ".join(node.css("*::text").getall() + node.css("[title]::attr(title)").getall())
        for anchor in node.css("a[href]"):
            words = " ".join(" ".join(anchor.css("::text").getall()).split())
            title = words or anchor.attrib.get("title") or anchor.css("img::attr(alt)").get() or None
            found.append((response.urljoin(anchor.attrib["href"]), title, text))
    return found


def _unwrap(url: str, param: str | None) -> str:
    """The target of a wrapped link (`/link?url=<target>`), else the URL itself."""
    if param is None:
        return url
    parts = urlsplit(url)
    target = parse_qs(parts.query).get(param) if parts.path.rstrip("/").endswith("/link") else None
    return target[0] if target else url


def _floor(done: dict[int, Checkpoint], page: int) -> date | None:
    previous = done.get(page - 1)
    return previous.oldest if previous is not None else None


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=WIB) if day is not None else None
