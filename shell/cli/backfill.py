"""`pantau backfill [SITE ...] --since DATE`: fill the archive with a topic's history, resumably."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import click

from pantau.base.errors import ConfigError

if TYPE_CHECKING:
    from rich.table import Table

    from pantau.cli.app import App
    from pantau.crawler.backfill.run import Backfill

log = logging.getLogger("pantau.backfill")
DEFAULT_TOPIC = "nk-russia-arms"


@click.command("backfill")
@click.argument("sites", nargs=-1)
@click.option(
    "--since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First date (WIB), YYYY-MM-DD."
)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last date (WIB); default today.")
@click.option(
    "--topic", default=DEFAULT_TOPIC, show_default=True, help="Topic whose tags and searches to walk."
)
@click.option(
    "--lock-wait", default=30.0, show_default=True, help="Seconds between tries while a crawl holds a site."
)
@click.option(
    "--progress-every", default=30.0, show_default=True, help="Seconds between log lines off a terminal."
)
@click.pass_obj
def backfill(
    app: App,
    sites: tuple[str, ...],
    since: datetime,
    until: datetime | None,
    topic: str,
    lock_wait: float,
    progress_every: float,
) -> None:
    """Fill the archive with the topic's stories from the sites' dated listings (resumable, polite)."""
    from pantau.crawler.backfill.plan import Range
    from pantau.crawler.backfill.run import Backfill
    from pantau.crawler.listings import WIB

    today = datetime.now(WIB).date()
    span = Range(since.date(), min(until.date() if until else today, today), today)
    if span.since > span.until:
        raise click.BadParameter(f"--since {span.since} is after --until {span.until}", param_hint="--since")
    _check_topic(app, topic)
    chosen = app.chosen_sites(sites)
    with app.database("backfill") as db, _stop_on_signals() as stop:
        job = Backfill(app.settings, chosen, span, topic, db.url, stop=stop, lock_wait=lock_wait)
        worker = threading.Thread(target=job.run, name="backfill")
        worker.start()
        _show_progress(job, worker, progress_every)
        worker.join()
    click.echo(render_summary(job))
    if any(state.status != "done" for state in job.states.values()):
        raise SystemExit(1)


def _check_topic(app: App, topic: str) -> None:
    from pantau.base.topics import load_topic_specs

    names = [t.name for t in load_topic_specs(app.settings.topics_dir)]
    if topic not in names:
        raise ConfigError(f"no topic {topic!r} in {app.settings.topics_dir} (topics: {', '.join(names)})")


def _show_progress(job: Backfill, worker: threading.Thread, every: float) -> None:
    """A live table on a terminal; plain log lines every `every` seconds elsewhere."""
    job.refresh()
    baseline = {site: state.dates_done for site, state in job.states.items()}
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.live import Live

        with Live(_table(job, baseline), console=Console(stderr=True), refresh_per_second=2) as live:
            while worker.is_alive():
                worker.join(1.0)
                job.refresh()
                live.update(_table(job, baseline))
        return
    last = time.monotonic()
    while worker.is_alive():
        worker.join(min(1.0, every))
        if time.monotonic() - last >= every:
            last = time.monotonic()
            job.refresh()
            for line in progress_lines(job, baseline):
                log.info("%s", line)


def progress_lines(job: Backfill, baseline: dict[str, int]) -> list[str]:
    """One plain line per site: dates done of asked, stories found, stored, on topic, ETA, status."""
    from pantau.crawler.backfill.run import eta

    lines = []
    for site, s in job.states.items():
        left = eta(s, job.started, baseline.get(site, 0))
        lines.append(
            f"backfill {site}: {s.dates_done}/{s.dates_asked} dates, {s.progress.found} found, "
            f"{s.progress.stored} stored, {s.progress.on_topic} on topic, ETA {_duration(left)}, {s.status}"
        )
    return lines


def _table(job: Backfill, baseline: dict[str, int]) -> Table:
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    from pantau.crawler.backfill.run import eta

    table = Table(title=f"backfill {job.span.since} – {job.span.until} ({job.topic})")
    for heading in ("site", "dates", "", "found", "stored", "on topic", "ETA", "status"):
        table.add_column(heading, justify="left" if heading in ("site", "", "status") else "right")
    for site, s in job.states.items():
        table.add_row(
            site,
            f"{s.dates_done}/{s.dates_asked}",
            ProgressBar(total=s.dates_asked, completed=s.dates_done, width=24),
            str(s.progress.found),
            str(s.progress.stored),
            str(s.progress.on_topic),
            _duration(eta(s, job.started, baseline.get(site, 0))),
            s.status,
        )
    return table


def render_summary(job: Backfill) -> str:
    """The final table: per site, dates done, listing pages, requests, stories found/stored/on topic."""
    headings = ["site", "dates", "pages", "requests", "found", "stored", "on-topic", "runs", "status"]
    rows = [headings]
    for site, s in job.states.items():
        p = s.progress
        status = s.status + (f" ({s.note})" if s.note else "")
        if s.open_chunks:
            status += f"; weeks left open: {', '.join(str(w) for w in s.open_chunks)}"
        rows.append(
            [
                site,
                f"{s.dates_done}/{s.dates_asked}",
                str(p.pages),
                str(p.requests),
                str(p.found),
                str(p.stored),
                str(p.on_topic),
                str(s.runs),
                status,
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(headings) - 1)]
    return "\n".join(
        "  ".join(
            [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:-1], widths[1:], strict=True)), r[-1]]
        )
        for r in rows
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{int(seconds % 60):02d}s"


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event Ctrl-C or SIGTERM sets: the running chunk closes gracefully (checkpoints kept)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
