"""A backfill as a plan: weekly chunks of a date range, the listing walks of each, and which are done.

Chunks are ISO weeks (Monday to Sunday, WIB) cut to the asked range, newest first, so two backfills
over overlapping ranges share their checkpoints. A walk is one listing for one date (daily), one
week (window) or one term (stream). Its checkpoints say which pages are done and where it ended;
today's daily pages and the current week's window are never done (they can still grow).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from pantau.crawler.backfill.model import BackfillListing, backfill_model
from pantau.storage.backfill import Checkpoint


@dataclass(frozen=True)
class Chunk:
    """The dates one child crawl backfills: an ISO week cut to the range [since, until]."""

    week: date  # the Monday
    start: date
    end: date

    def days(self) -> list[date]:
        """Its dates, newest first."""
        return [self.end - timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def chunks(since: date, until: date) -> list[Chunk]:
    """The weekly chunks of [since, until], newest first."""
    if since > until:
        raise ValueError(f"--since {since} is after --until {until}")
    monday = until - timedelta(days=until.weekday())
    found = []
    while monday + timedelta(days=6) >= since:
        found.append(Chunk(monday, max(monday, since), min(monday + timedelta(days=6), until)))
        monday -= timedelta(days=7)
    return found


@dataclass(frozen=True)
class Walk:
    """One listing walked for one date, week or term; `key` names its checkpoints."""

    listing: BackfillListing
    key: str
    term: str | None = None
    day: date | None = None
    week: date | None = None

    def url(self, page: int) -> str:
        """The URL of page `page` of this walk."""
        dates: dict[str, str] = {}
        if self.day is not None:
            dates["date"] = self.day.strftime(self.listing.date_format)
        if self.week is not None:
            end = self.week + timedelta(days=6)
            dates |= {"start": self.week.strftime(self.listing.date_format), "end": end.strftime("%Y-%m-%d")}
        return self.listing.format(page, self.term, **dates)

    def grows(self, today: date, until: date) -> bool:
        """True for listings that can still gain items in range: today's index, this week's search."""
        if self.day is not None:
            return self.day >= today
        return self.week is not None and min(self.week + timedelta(days=6), until) >= today


def walks(site: str, topic: str, chunk: Chunk) -> list[Walk]:
    """Every walk of a site's chunk: daily ones per date (newest first), then windows and streams."""
    model = backfill_model(site)
    terms = model.terms(topic)
    found: list[Walk] = []
    for listing in model.listings:
        for term in terms.of(listing.terms):
            label = f"{listing.name}:{term}" if term else listing.name
            if listing.kind == "daily":
                found += [Walk(listing, f"{label}:{d.isoformat()}", term, day=d) for d in chunk.days()]
            elif listing.kind == "window":
                found.append(Walk(listing, f"{label}:{chunk.week.isoformat()}", term, week=chunk.week))
            else:
                found.append(Walk(listing, label, term))
    return found


@dataclass(frozen=True)
class WalkState:
    """Where a walk stands: its done pages, and the page to walk next (None: nothing to do now)."""

    done: dict[int, Checkpoint]
    next_page: int | None


@dataclass(frozen=True)
class Range:
    """The dates a backfill asks for, and the day it runs (WIB)."""

    since: date
    until: date
    today: date


def state(walk: Walk, checkpoints: Iterable[Checkpoint], span: Range, chunk: Chunk) -> WalkState:
    """Where `walk` stands for this chunk, from its checkpoints."""
    done = {c.page: c for c in checkpoints if c.listing == walk.key}
    if walk.grows(span.today, span.until):
        return WalkState({}, 1)  # walked again: it may list more than when it was checkpointed
    return WalkState(done, next_page(walk, done, 0, since=span.since, chunk=chunk))


def next_page(
    walk: Walk, done: dict[int, Checkpoint], after: int, *, since: date, chunk: Chunk
) -> int | None:
    """The first page after `after` still to walk, skipping done ones; None when the walk ended or,
    for a stream, when its done pages already reach back before this chunk (it resumes later)."""
    page = after + 1
    while page <= walk.listing.max_pages:
        checkpoint = done.get(page)
        if checkpoint is None:
            return page
        if checkpoint.ended == "since" and checkpoint.oldest is not None and checkpoint.oldest > since:
            return page  # it ended at an earlier, later `since`: walk on from it
        if checkpoint.ended is not None:
            return None
        if (
            walk.listing.kind == "stream"
            and checkpoint.oldest is not None
            and checkpoint.oldest < chunk.start
        ):
            return None  # reached back past this chunk: the next chunk resumes it
        page += 1
    return None


def pending(
    site: str, topic: str, chunk: Chunk, checkpoints: list[Checkpoint], span: Range
) -> Iterator[tuple[Walk, WalkState]]:
    """The chunk's walks that still have a page to walk."""
    for walk in walks(site, topic, chunk):
        walk_state = state(walk, checkpoints, span, chunk)
        if walk_state.next_page is not None:
            yield walk, walk_state


def listing_keys(site: str, topic: str, span: Range) -> list[str]:
    """The checkpoint keys of every walk of the range."""
    return list(
        dict.fromkeys(w.key for chunk in chunks(span.since, span.until) for w in walks(site, topic, chunk))
    )


def dates_done(site: str, topic: str, span: Range, checkpoints: list[Checkpoint]) -> int:
    """How many dates of the range are done: their daily walks, and their week's other walks, ended."""
    done = 0
    for chunk in chunks(span.since, span.until):
        open_walks = [walk for walk, _ in pending(site, topic, chunk, checkpoints, span)]
        if any(walk.day is None for walk in open_walks):
            continue  # a window or stream of this week is still open: none of its dates is done
        open_days = {walk.day for walk in open_walks}
        done += sum(1 for day in chunk.days() if day not in open_days)
    return done
