"""The daemon's background rescore: stories whose topic scores are out of date, a few batches a run.

Every `rescore.check_seconds` the job reads the topic folder; when a topic's fingerprint differs
from what it last saw (and once at start), it rescores the stale stories in batches of
`rescore.batch_size`, each its own short transaction, at most `MAX_BATCHES` per run, so the
thread is free again soon and a daemon stop waits for one batch at most. It runs on a thread of its
own, so a crawl or a digest never waits for it. A broken topic file is logged once and the scores
stay as they are until it is fixed (the crawl stops on the same error).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pantau.base.errors import ConfigError
from pantau.pipelines import rescore as engine
from pantau.pipelines.topics import load_topics
from pantau.storage import reprocess as store

if TYPE_CHECKING:
    from collections.abc import Iterator

    import psycopg
    from apscheduler.schedulers.base import BaseScheduler

    from pantau.base.settings import Settings
    from pantau.scheduler.jobs import JobContext

log = logging.getLogger(__name__)
MAX_BATCHES = 10  # per run of the job; the next run continues


class BackgroundRescore:
    """The job's state between runs: the fingerprints last seen, and whether stale stories remain."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.seen: dict[str, str] | None = None
        self.pending = True
        self.broken: str | None = None
        self.report = engine.RescoreReport()

    def __call__(self) -> None:
        """One run: notice changed topic files, then rescore up to MAX_BATCHES batches of stale stories."""
        if self.ctx.stop.is_set():
            return
        try:
            topics = load_topics(self.ctx.settings.topics_dir)
        except ConfigError as exc:
            if str(exc) != self.broken:
                log.error("background rescore paused: %s", exc)
                self.broken = str(exc)
            return
        self.broken = None
        current = engine.fingerprints(topics)
        if current != self.seen:
            if self.seen is not None:
                log.info("topic files changed: rescoring out-of-date stories in the background")
            self.seen, self.pending, self.report = current, True, engine.RescoreReport()
        if not self.pending:
            return
        settings = self.ctx.settings.rescore
        report = engine.rescore(
            self.ctx.db,
            topics,
            batch_size=settings.batch_size,
            max_batches=MAX_BATCHES,
            stop=self.ctx.stop,
            clock=self.ctx.clock,
        )
        self.report.add(report)
        if not report.interrupted:
            self.pending = False
            if self.report.stories:
                log.info("background rescore done: %s", describe(self.report))


def describe(report: engine.RescoreReport) -> str:
    """One line: stories rescored and, per topic, how many came on, left and changed score."""
    topics = "; ".join(
        f"{name}: {t.became} on topic, {t.left} left, {t.changed} scores changed"
        for name, t in report.topics.items()
        if t.scored
    )
    return f"{report.stories} stories rescored ({topics or 'no score changed'})"


def schedule(scheduler: BaseScheduler, ctx: JobContext) -> None:
    """Add the job, first run now (the executor keeps a thread for it: see daemon._scheduler)."""
    scheduler.add_job(
        BackgroundRescore(ctx),
        "interval",
        seconds=ctx.settings.rescore.check_seconds,
        id="rescore",
        name="background rescore",
        next_run_time=ctx.clock(),
    )


def status_lines(conn: psycopg.Connection, settings: Settings) -> Iterator[str]:
    """`pantau status`: how many stories carry out-of-date scores, per topic."""
    stale = store.stale_by_topic(conn, engine.fingerprints(load_topics(settings.topics_dir)))
    if not any(stale.values()):
        yield "scores: up to date with the topic files"
        return
    counts = ", ".join(f"{name} {count} stories" for name, count in stale.items() if count)
    yield f"scores: out of date ({counts}); the daemon rescores them in the background (or: pantau rescore)"
