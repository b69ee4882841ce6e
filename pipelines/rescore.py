"""Rescoring the archive against the current topic files, in keyset batches of stale stories.

A score is stale when it was not computed with the topic's current fingerprint (a changed term,
threshold or scoring rule, or a topic added later). Each batch is read, scored in Python and then
written in one short transaction, so memory stays flat at any archive size, row locks are held for
milliseconds, and a run stopped at any point resumes where it stopped: what it wrote is no longer
stale, and the rest still is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pantau.storage import reprocess as store
from pantau.storage.reprocess import NewScore, OldScore, StoryText

if TYPE_CHECKING:
    import psycopg

    from pantau.pipelines.topics import Topic
    from pantau.storage.db import Database

BATCH_SIZE = 500
Progress = Callable[[int, int], None]  # (stories done, stories to do)


@dataclass
class TopicTally:
    """What rescoring changed for one topic."""

    scored: int = 0
    became: int = 0  # on topic now, and not before (or never scored before)
    left: int = 0  # on topic before, not now
    changed: int = 0  # a score that differs from the stored one (or a first score)


@dataclass
class RescoreReport:
    """What a rescoring run did (or, dry, would do)."""

    total: int = 0  # stories with a stale score when the run started
    stories: int = 0
    topics: dict[str, TopicTally] = field(default_factory=dict)
    interrupted: bool = False

    def tally(self, topic: str) -> TopicTally:
        """The tally of one topic, created on first use."""
        return self.topics.setdefault(topic, TopicTally())

    def add(self, other: RescoreReport) -> None:
        """Count another run's (or batch's) stories and per-topic changes in this report."""
        self.stories += other.stories
        for name, tally in other.topics.items():
            total = self.tally(name)
            total.scored += tally.scored
            total.became += tally.became
            total.left += tally.left
            total.changed += tally.changed


def score_stories(
    stories: Iterable[StoryText],
    topics: Sequence[Topic],
    old: dict[tuple[int, str], OldScore],
    report: RescoreReport,
    *,
    stale_only: bool,
) -> list[NewScore]:
    """Score each story against each topic (with `stale_only`, only its stale scores); count changes."""
    scores = []
    for story in stories:
        for topic in topics:
            before = old.get((story.id, topic.name))
            if stale_only and before is not None and before.fingerprint == topic.fingerprint:
                continue
            result = topic.score(story.title, story.body)
            tally = report.tally(topic.name)
            tally.scored += 1
            was_on = before is not None and before.on_topic
            tally.became += result.on_topic and not was_on
            tally.left += was_on and not result.on_topic
            # Stored as real (float4): compare at that precision, or every score would "change".
            tally.changed += before is None or abs(before.score - result.score) > 1e-4
            scores.append(
                NewScore(
                    story.id,
                    topic.name,
                    result.score,
                    result.on_topic,
                    result.matched_terms,
                    topic.fingerprint,
                    story.content_hash,
                )
            )
    return scores


def fingerprints(topics: Sequence[Topic]) -> dict[str, str]:
    """Topic name -> fingerprint of its current definition."""
    return {topic.name: topic.fingerprint for topic in topics}


def rescore(
    db: Database,
    topics: Sequence[Topic],
    *,
    since: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    overlap: bool = False,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RescoreReport:
    """Rescore every story with a stale score of these topics; `stop` ends it between two batches.

    With `overlap`, a batch is written on a second connection while the next one is scored.
    Returns the report so far; `interrupted` says it stopped before the end (a later run continues).
    """
    report = RescoreReport(topics={topic.name: TopicTally() for topic in topics})
    wanted = fingerprints(topics)
    with db.connection() as conn:
        writer = _Writer(db, conn, report, background=overlap and not dry_run)
        report.total = store.count_stale(conn, wanted, since)
        after, batches = 0, 0
        try:
            while True:
                if (stop is not None and stop.is_set()) or batches == max_batches:
                    report.interrupted = True
                    break
                batch = store.stale_batch(conn, wanted, after=after, since=since, limit=batch_size)
                if not batch:
                    break
                old = store.batch_scores(conn, [story.id for story in batch], [t.name for t in topics])
                draft = RescoreReport(stories=len(batch))
                scores = score_stories(batch, topics, old, draft, stale_only=True)
                writer.write(None if dry_run else scores, draft, clock())
                after, batches = batch[-1].id, batches + 1
                if progress is not None:
                    progress(report.stories, max(report.total, report.stories))
        finally:
            writer.close()
        if progress is not None and batches:  # the last batch, written after its progress call
            progress(report.stories, max(report.total, report.stories))
    return report


class _Writer:
    """Writes each batch's scores in a transaction of its own, then counts the batch in the report.

    In the background, scoring (Python, which holds the interpreter) and writing (waiting on
    PostgreSQL, which releases it) run at once on two cores: one batch is written while the next
    is scored, and a write's error is raised at the next batch or at the end. Counted once written,
    so an interrupted run reports only what it stored.
    """

    def __init__(
        self, db: Database, conn: psycopg.Connection, report: RescoreReport, *, background: bool
    ) -> None:
        self.db, self.conn, self.report = db, conn, report
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="rescore-writer") if background else None
        self.pending: Future[None] | None = None

    def write(self, scores: list[NewScore] | None, draft: RescoreReport, now: datetime) -> None:
        """Write `scores` (None: a dry run, count only) and add `draft` to the report."""
        self.wait()
        if self.pool is None:
            self._store(scores, draft, now)
        else:
            self.pending = self.pool.submit(self._store, scores, draft, now)

    def wait(self) -> None:
        """Until the batch in flight is written (raising its error, if any)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the batch in flight and stop the thread."""
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown()

    def _store(self, scores: list[NewScore] | None, draft: RescoreReport, now: datetime) -> None:
        if scores is not None:
            # In the writer thread, a connection of its own; in turn, the reading one.
            connection = self.db.connection() if self.pool is not None else nullcontext(self.conn)
            with connection as conn, conn.transaction():
                store.write_scores(conn, scores, now)
        self.report.add(draft)
