"""`pantau crawl [SITE ...]`: one crawl of each site now, in the foreground, with a table of results."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from pantau.base.errors import PantauError
from pantau.cli.app import pass_app

if TYPE_CHECKING:
    from pantau.cli.app import App
    from pantau.crawler.runner import CrawlOutcome

# (heading, counts key) of the table, in the order a crawl does things.
COLUMNS = (
    ("discovered", "discovered"),
    ("known", "known"),
    ("fetched", "fetched"),
    ("stored", "stored"),
    ("on-topic", "on_topic"),
    ("duplicates", "duplicates"),
    ("errors", "errors"),
    ("blocked", "blocked"),
)
# What to do about a run that did not finish, by "status:reason", else by status.
ADVICE = {
    "blocked": "the site's listings answered with block pages; raise crawl.download_delay, try again later",
    "timeout": "the crawl hit crawl.timeout_minutes; raise it or lower crawl.max_pages",
    "crashed": "the crawl process died (memory? see crawl.memory_limit_mb); the log above says more",
    "interrupted": "the crawl was stopped before its end; run it again",
    "skipped:locked": "another crawl of this site is running (the daemon?); try again when it ends",
    "failed:robots_unreachable": (
        "the site's robots.txt could not be fetched (5xx or no connection), so nothing was requested; "
        "check the network or proxy, the next run tries again"
    ),
    "failed:tls": (
        "the site's TLS certificate could not be verified (the host is in the log above); behind a "
        "TLS-inspecting proxy set SSL_CERT_FILE to a bundle with its CA (README: Behind a proxy)"
    ),
    "failed:db_unavailable": "the crawl could not reach the archive; `pantau db status` checks the database",
    "failed": "see the log above; `pantau db status` checks the database",
}


@click.command("crawl")
@click.argument("sites", nargs=-1)
@pass_app
def crawl(app: App, sites: tuple[str, ...]) -> None:
    """Crawl the given sites (default: all configured) once, now, and show what each run did."""
    from pantau.crawler.runner import run_crawl  # late: keeps `pantau --help` fast

    chosen = app.chosen_sites(sites)
    rows: list[tuple[str, CrawlOutcome | None, str | None]] = []
    with app.database("crawl") as db, _stop_on_interrupt() as stop:
        for site in chosen:
            if stop.is_set():
                rows.append((site, None, "not run: interrupted"))
                continue
            try:
                outcome = run_crawl(app.settings, site, database_url=db.url, stop=stop)
            except PantauError as exc:  # one site's failure never stops the others
                rows.append((site, None, str(exc)))
                continue
            rows.append((site, outcome, None))
    click.echo(render_table(rows))
    problems = [_explain(site, outcome, error) for site, outcome, error in rows]
    for line in filter(None, problems):
        click.echo(line, err=True)
    if any(problems):
        raise SystemExit(1)


def _explain(site: str, outcome: CrawlOutcome | None, error: str | None) -> str | None:
    """One line on a run that did not finish, with what to do; None when it finished."""
    if outcome is None:
        return f"{site}: {error}"
    if outcome.status == "finished":
        return None
    why = f" ({outcome.reason})" if outcome.reason else ""
    advice = ADVICE.get(f"{outcome.status}:{outcome.reason}") or ADVICE.get(outcome.status, ADVICE["failed"])
    return f"{site}: {outcome.status}{why} in crawl run {outcome.run_id}: {advice}"


def render_table(rows: Sequence[tuple[str, CrawlOutcome | None, str | None]]) -> str:
    """The per-site table: counts of each run and its status."""
    headings = ["site", *(h for h, _ in COLUMNS), "status"]
    lines = [headings]
    for site, outcome, _error in rows:
        if outcome is None:
            lines.append([site, *("-" for _ in COLUMNS), "error"])
            continue
        status = outcome.status + (f" ({outcome.reason})" if outcome.reason else "")
        lines.append([site, *(str(outcome.counts.get(key, 0)) for _, key in COLUMNS), status])
    widths = [max(len(row[i]) for row in lines) for i in range(len(headings))]
    rendered = []
    for row in lines:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        rendered.append("  ".join(cells))
    return "\n".join(rendered)


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """An event Ctrl-C sets: the running crawl closes gracefully, the remaining sites are not run."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # only the main thread gets signals
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
