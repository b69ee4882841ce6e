"""`pantau run`, `pantau status` and `pantau digest`: the daemon, its state, and digests on demand."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from pantau.base.errors import PantauError
from pantau.cli.app import App, pass_app

if TYPE_CHECKING:
    from pantau.base.settings import Settings
    from pantau.storage.db import Database


@click.command("run")
@pass_app
def run(app: App) -> None:
    """Run the daemon: crawl every site on schedule and send the digests (until SIGTERM/Ctrl-C)."""
    from pantau.scheduler import daemon

    with app.database("daemon") as db:
        daemon.run(app.settings, db)


@click.command("status")
@click.option(
    "--check", is_flag=True, help="Print one line; exit 0 when healthy (database, heartbeat), else 1."
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Every count of each site's last run, not just the main ones."
)
@pass_app
def status(app: App, check: bool, verbose: bool) -> None:
    """Show each site's last and next crawl and health, the outbox, and the daemon's heartbeat."""
    if check:
        healthy, line = _check(app)
        click.echo(line)
        sys.exit(0 if healthy else 1)
    from pantau.scheduler import liveness, report

    with app.database("status") as db, db.connection() as conn:
        for line in report.status_lines(
            conn, app.settings, datetime.now(UTC), liveness.STALE, verbose=verbose
        ):
            click.echo(line)


def _check(app: App) -> tuple[bool, str]:
    from pantau.scheduler.liveness import DaemonState, state_of
    from pantau.storage import status as store

    try:
        with app.database("check") as db, db.connection() as conn:
            beat = store.latest_heartbeat(conn)
    except PantauError as exc:
        return False, f"unhealthy: {exc}"
    now = datetime.now(UTC)
    state = state_of(beat, now)
    if beat is None or state in (DaemonState.NEVER, DaemonState.STOPPED):
        return False, "unhealthy: no daemon is running (no live heartbeat); start `pantau run`"
    age = (now - beat.beat_at).total_seconds()
    if state is DaemonState.GONE:
        return False, f"unhealthy: the daemon (pid {beat.pid} on {beat.hostname}) is gone; start `pantau run`"
    if state is DaemonState.NOT_RESPONDING:
        return False, f"unhealthy: the daemon's last heartbeat was {age:.0f} s ago (pid {beat.pid})"
    return True, f"ok: daemon pid {beat.pid} on {beat.hostname}, heartbeat {age:.0f} s ago"


@click.command("digest")
@click.option("--subscription", "name", help="Only this subscription (default: all).")
@click.option(
    "--dry-run", is_flag=True, help="Print the digests' text and send nothing; nothing is recorded."
)
@pass_app
def digest(app: App, name: str | None, dry_run: bool) -> None:
    """Build and send the due digests now."""
    _known(app.settings, name)
    with app.database("digest") as db:
        if dry_run:
            _dry_run(app.settings, db, name)
        else:
            _send_now(app.settings, db, name)


def _known(settings: Settings, name: str | None) -> None:
    names = [s.name for s in settings.subscriptions]
    if not names:
        raise PantauError(
            "no subscriptions are configured; add a [[subscriptions]] block (see deploy/pantau.example.toml)"
        )
    if name is not None and name not in names:
        raise PantauError(f"no subscription named {name!r}; configured: {', '.join(names)}")


def _send_now(settings: Settings, db: Database, name: str | None) -> None:
    from pantau.scheduler import jobs

    report = jobs.digest_cycle(db, settings, only=name)
    if report is None:
        click.echo("another pantau process is building or sending digests right now; try again shortly")
        sys.exit(1)
    sent = report.sent
    outcome = f"sent {sent.sent}, retrying {sent.retrying}, failed {sent.failed}"
    click.echo(f"built {len(report.built)} digest(s); {outcome}")
    if sent.retrying or sent.failed:
        click.echo("see `pantau status` for the deliveries that did not go out")


def _dry_run(settings: Settings, db: Database, name: str | None) -> None:
    from pantau.scheduler import report

    for text in report.preview(db, settings, datetime.now(UTC), only=name):
        click.echo(text)
