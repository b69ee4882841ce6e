"""`pantau rescore` and `pantau reextract`: the archive follows changed topic files and site rules."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import click

from pantau.base.errors import PantauError
from pantau.cli.app import App, pass_app
from pantau.cli.crawl import _stop_on_interrupt

if TYPE_CHECKING:
    from pantau.pipelines.rescore import Progress, RescoreReport
    from pantau.pipelines.topics import Topic

log = logging.getLogger("pantau.reprocess")
_SINCE_HELP = "Only stories published on or after this day (YYYY-MM-DD, in your time zone)."


@click.command("rescore")
@click.option("--topic", "names", multiple=True, help="Only this topic (repeatable; default: every topic).")
@click.option("--since", help=_SINCE_HELP)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@pass_app
def rescore(app: App, names: tuple[str, ...], since: str | None, dry_run: bool) -> None:
    """Score stored stories against the current topic files where their scores are out of date."""
    from pantau.pipelines import rescore as engine

    topics = _topics(app, names)  # a broken topic file stops here, before anything is written
    start = _since(app, since)
    with app.database("rescore") as db, _stop_on_interrupt() as stop, _progress("rescoring") as progress:
        report = engine.rescore(db, topics, since=start, dry_run=dry_run, stop=stop, progress=progress)
    print_rescore(report, dry_run=dry_run)
    if report.interrupted:
        click.echo(
            f"interrupted after {report.stories} of {report.total} stories; "
            "run the same command again to continue where it stopped",
            err=True,
        )
        sys.exit(1)


def print_rescore(report: RescoreReport, *, dry_run: bool) -> None:
    """The per-topic summary of a rescore: stories scored, on topic now and not before, left, changed."""
    if report.total == 0:
        click.echo(f"every score is up to date with the topic files ({', '.join(report.topics)})")
        return
    verb = "would rescore" if dry_run else "rescored"
    click.echo(f"{verb} {report.stories} of {report.total} stories with out-of-date scores")
    headings = ("topic", "scored", "became on topic", "left topic", "score changed")
    rows = [headings] + [
        (name, str(t.scored), str(t.became), str(t.left), str(t.changed)) for name, t in report.topics.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headings))]
    for row in rows:
        cells = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        click.echo("  ".join([row[0].ljust(widths[0]), *cells]))
    if dry_run:
        click.echo("dry run: nothing was written")


def _topics(app: App, names: tuple[str, ...]) -> list[Topic]:
    from pantau.pipelines.topics import load_topics

    topics = load_topics(app.settings.topics_dir)
    known = [topic.name for topic in topics]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise PantauError(
            f"unknown topic(s) {', '.join(unknown)}; topics in {app.settings.topics_dir}: {', '.join(known)}"
        )
    return [topic for topic in topics if not names or topic.name in names]


def _since(app: App, value: str | None) -> datetime | None:
    from pantau.present.filters import parse_day
    from pantau.storage.search import day_start

    day = parse_day(value, "--since", last=False)
    return day_start(day, app.settings.zone) if day else None


@contextmanager
def _progress(what: str) -> Iterator[Progress]:
    """A progress bar on a terminal; elsewhere a log line at every tenth of the way."""
    if sys.stderr.isatty():
        from rich.progress import Progress as Bar

        with Bar(transient=True) as bar:
            task = bar.add_task(what, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)
        return
    logged = [-1]

    def line(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth > logged[0]:
            logged[0] = tenth
            log.info("%s: %d of %d stories (%d%%)", what, done, total, done * 100 // max(total, 1))

    yield line
