"""Drive a backfill: per site, its weekly chunks newest first, each in a child crawl of kind backfill.

Each chunk is one `run_crawl(kind="backfill")`: the child takes the site's crawl lock, so a backfill
never runs beside that site's scheduled crawl, and between chunks the lock is free for the daemon.
A busy lock (`skipped: locked`) is waited out and the chunk tried again. A chunk whose walks are not
all done after a run (the article budget ran out, a timeout) runs again while runs make progress.
Sites run side by side (different hosts; each site's politeness is its own).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import psycopg

from pantau.base.errors import PantauError
from pantau.base.settings import Settings
from pantau.base.sites import site_file
from pantau.crawler.backfill.plan import Chunk, Range, chunks, dates_done, listing_keys, pending, walks
from pantau.crawler.backfill.walker import SETTING, Job
from pantau.storage import backfill as store

log = logging.getLogger(__name__)
MAX_RUNS_PER_CHUNK = 4  # a chunk still open after this many runs that made progress is left for later


@dataclass
class SiteState:
    """One site's backfill as it goes: for the progress display and the final summary."""

    site: str
    dates_asked: int
    dates_done: int = 0
    runs: int = 0
    status: str = "waiting"  # waiting, running, locked (waiting for the crawl), done, incomplete, ...
    note: str = ""
    progress: store.Progress = field(default_factory=lambda: store.Progress(0, 0, 0, 0, 0))
    open_chunks: list[date] = field(default_factory=list)  # weeks left open (why: note)


@dataclass
class Backfill:
    """A backfill of some sites over [since, until] for a topic; `run()` it, read `states` meanwhile."""

    settings: Settings
    sites: Sequence[str]
    span: Range
    topic: str
    database_url: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock_wait: float = 30.0  # seconds between attempts while the site's crawl holds the lock
    timeout: float | None = None  # per chunk (default crawl.timeout_minutes)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    states: dict[str, SiteState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        days = (self.span.until - self.span.since).days + 1
        self.states = {site: SiteState(site, days) for site in self.sites}
        for site in self.sites:  # a missing [backfill] table or topic terms fail now, naming the file
            try:
                walks(site, self.topic, chunks(self.span.since, self.span.until)[0])
            except (KeyError, ValueError) as exc:
                raise PantauError(f"site file {site_file(site)}: {exc.args[0]}") from None

    def run(self) -> dict[str, SiteState]:
        """Backfill every site (one thread each) and return their final states."""
        threads = [
            threading.Thread(target=self._site, args=(site,), name=f"backfill-{site}") for site in self.sites
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.refresh()
        return self.states

    def refresh(self) -> None:
        """Re-read every site's progress from the database (checkpoints and run counts)."""
        try:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                for site, state in self.states.items():
                    keys = listing_keys(site, self.topic, self.span)
                    state.dates_done = dates_done(
                        site, self.topic, self.span, store.checkpoints(conn, site, keys)
                    )
                    state.progress = store.progress(conn, site, self.started, self.topic)
        except psycopg.OperationalError as exc:
            log.warning("cannot read backfill progress: %s", exc)

    # --- one site ---------------------------------------------------------------------------------
    def _site(self, site: str) -> None:
        state = self.states[site]
        try:
            for chunk in chunks(self.span.since, self.span.until):
                if self.stop.is_set():
                    state.status = "interrupted"
                    return
                if not self._chunk(site, chunk, state):
                    return
            state.status = "incomplete" if state.open_chunks else "done"
        except PantauError as exc:
            state.status, state.note = "failed", str(exc)
        except Exception as exc:  # one site's failure never stops the others; it is reported
            log.exception("backfill of %s failed", site)
            state.status, state.note = "failed", f"{type(exc).__name__}: {exc}"

    def _chunk(self, site: str, chunk: Chunk, state: SiteState) -> bool:
        """Run a chunk until its walks are done or runs stop making progress; False: stop this site."""
        from pantau.crawler.runner import run_crawl

        job = Job(since=self.span.since, until=self.span.until, week=chunk.week, topic=self.topic)
        runs = 0
        while runs < MAX_RUNS_PER_CHUNK and not self.stop.is_set():
            before = self._open_pages(site, chunk, first=runs == 0)
            if before is None:
                return True
            state.status = "running"
            outcome = run_crawl(
                self.settings,
                site,
                database_url=self.database_url,
                kind="backfill",
                stop=self.stop,
                timeout=self.timeout,
                extra_settings={SETTING: job.model_dump_json()},
            )
            if outcome.status == "skipped":  # the site's crawl holds the lock: let it finish
                state.status = "locked"
                self.stop.wait(self.lock_wait)
                continue
            runs += 1
            state.runs += 1
            if outcome.status != "finished":
                state.note = f"run {outcome.run_id}: {outcome.status} {outcome.reason or ''}".strip()
            if outcome.status == "blocked" or self.stop.is_set():
                state.status = "blocked" if outcome.status == "blocked" else "interrupted"
                return False  # the site blocks us (raise the delay, try later), or we were told to stop
            # finished, or a timeout/crash/failure: what it checkpointed stays; the chunk runs again.
            if outcome.status == "finished" and self._open_pages(site, chunk, first=False) == before:
                break  # a clean run that made no progress: the next would not either; leave it for later
        if self._open_pages(site, chunk, first=False) is not None:
            state.open_chunks.append(chunk.week)
        return True

    def _open_pages(self, site: str, chunk: Chunk, *, first: bool) -> int | None:
        """How many pages the chunk's walks have checkpointed, or None when none is open. Listings
        that still grow (today's) count as open only before the chunk's first run of this backfill."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            keys = [w.key for w in walks(site, self.topic, chunk)]
            checkpoints = store.checkpoints(conn, site, keys)
        still = [
            walk
            for walk, _ in pending(site, self.topic, chunk, checkpoints, self.span)
            if first or not walk.grows(self.span.today, self.span.until)
        ]
        return len(checkpoints) if still else None


def eta(state: SiteState, started: datetime, done_at_start: int) -> float | None:
    """Seconds left for a site at its pace so far in this backfill; None until a date is done."""
    done = state.dates_done - done_at_start
    if done <= 0:
        return None
    return (datetime.now(UTC) - started).total_seconds() / done * (state.dates_asked - state.dates_done)
