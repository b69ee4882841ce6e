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
    from pantau.pipelines.reextract import ReextractReport
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
        report = engine.rescore(
            db, topics, since=start, dry_run=dry_run, overlap=True, stop=stop, progress=progress
        )
    print_rescore(report, dry_run=dry_run)
    if report.interrupted:
        _interrupted(report.stories, report.total, "continue where it stopped")


@click.command("reextract")
@click.argument("sites", nargs=-1)
@click.option("--since", help=_SINCE_HELP)
@click.option(
    "--dry-run", is_flag=True, help="Print what would change, with a few example diffs; write nothing."
)
@pass_app
def reextract(app: App, sites: tuple[str, ...], since: str | None, dry_run: bool) -> None:
    """Run the current site rules on the stored pages of every story (default: all sites), then rescore."""
    from pantau.base.sites import site_names
    from pantau.pipelines import reextract as engine

    chosen = app.chosen_sites(sites) if sites else list(site_names())  # stories of every known site
    rules = engine.check_rules(chosen)  # a broken site file stops here, before anything is written
    topics = _topics(app, ())
    start = _since(app, since)
    with (
        app.database("reextract") as db,
        _stop_on_interrupt() as stop,
        _progress("re-extracting") as progress,
    ):
        report = engine.reextract(
            db, rules, topics, since=start, dry_run=dry_run, stop=stop, progress=progress
        )
    print_reextract(report, dry_run=dry_run)
    if report.interrupted:
        _interrupted(report.done, report.total, "re-extracted stories are current and not written twice")


def print_reextract(report: ReextractReport, *, dry_run: bool) -> None:
    """Per site: stories read, changed, which fields, failures named; examples when dry; the rescore."""
    from pantau.pipelines.reextract import FIELDS

    headings: tuple[str, ...] = ("site", "stories", "changed", *FIELDS, "failed")
    rows = [headings]
    for site, tally in report.sites.items():
        counts = [tally.stories, tally.changed, *(tally.fields[name] for name in FIELDS), len(tally.failed)]
        rows.append((site, *(str(count) for count in counts)))
    _table(rows)
    for site, tally in report.sites.items():
        for failure in tally.failed:
            click.echo(f"{site}: cannot extract {failure}; the story keeps its stored text")
    if dry_run:
        for tally in report.sites.values():
            for example in tally.examples:
                click.echo("\n" + example)
    changed = sum(tally.changed for tally in report.sites.values())
    if changed:
        click.echo(
            f"\nrescored with the new text: {changed} changed {'story' if changed == 1 else 'stories'}"
        )
        _table(_topic_rows(report.rescore))
    if dry_run:
        click.echo("dry run: nothing was written")


def print_rescore(report: RescoreReport, *, dry_run: bool) -> None:
    """The per-topic summary of a rescore: stories scored, on topic now and not before, left, changed."""
    if report.total == 0:
        click.echo(f"every score is up to date with the topic files ({', '.join(report.topics)})")
        return
    verb = "would rescore" if dry_run else "rescored"
    click.echo(f"{verb} {report.stories} of {report.total} stories with out-of-date scores")
    _table(_topic_rows(report))
    if dry_run:
        click.echo("dry run: nothing was written")


def _interrupted(done: int, total: int, why: str) -> None:
    click.echo(f"interrupted after {done} of {total} stories; run the same command again ({why})", err=True)
    sys.exit(1)


def _topic_rows(report: RescoreReport) -> list[tuple[str, ...]]:
    headings: tuple[str, ...] = ("topic", "scored", "became on topic", "left topic", "score changed")
    return [headings] + [
        (name, str(t.scored), str(t.became), str(t.left), str(t.changed)) for name, t in report.topics.items()
    ]


def _table(rows: list[tuple[str, ...]]) -> None:
    """Rows as columns: the first left-aligned, the counts right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        click.echo("  ".join([row[0].ljust(widths[0]), *cells]))


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
