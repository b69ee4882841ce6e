"""Run one crawl of one site in a subprocess, bounded in time and memory, always with a verdict.

A Twisted reactor cannot be restarted, so every crawl is `python -m scrapy crawl <site>` in its own
process group (as scrapyd does). The parent inserts the crawl_runs row before spawning; the child's
RunRecorder adopts it and records the verdict. When the child cannot (killed, crashed, database
lost), the parent does: from the child's PANTAU_RESULT line if it printed one, else `timeout`,
`interrupted` or `crashed` with the exit status. The exit code alone is never the verdict.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import conninfo

from pantau.base.errors import DatabaseUnavailable
from pantau.crawler.child import Child, child_command, spawn
from pantau.storage import crawls
from pantau.storage.db import Database, Timeouts, connection_kwargs, describe_server, first_line

if TYPE_CHECKING:
    from pantau.base.settings import Settings

log = logging.getLogger(__name__)
GRACE_SECONDS = 10.0  # after SIGINT, how long the crawl may take to close before SIGKILL


@dataclass(frozen=True)
class CrawlOutcome:
    """How one crawl ended, as recorded in its crawl_runs row."""

    run_id: int
    site: str
    status: str
    reason: str | None
    counts: dict[str, int]
    returncode: int | None


def _connect(database_url: str, settings: Settings) -> psycopg.Connection:
    timeouts = Timeouts(connect=settings.database.connect_timeout)
    params = conninfo.make_conninfo(database_url, **connection_kwargs("pantau-runner", timeouts))
    try:
        return psycopg.connect(params, autocommit=True)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {describe_server(database_url)} to record a crawl: {first_line(exc)}"
        ) from None


def run_crawl(
    settings: Settings,
    site: str,
    *,
    database_url: str,
    kind: str = "crawl",
    stop: threading.Event | None = None,
    timeout: float | None = None,
    extra_settings: Mapping[str, str] | None = None,
    grace: float = GRACE_SECONDS,
) -> CrawlOutcome:
    """Crawl `site` once in a subprocess; its recorded outcome (raises if the run cannot be recorded).

    Args:
        timeout: wall-clock limit in seconds (default: crawl.timeout_minutes); the child closes itself
            a little earlier (CLOSESPIDER_TIMEOUT), and is interrupted, then killed, at the limit.
        stop: set it to interrupt the crawl (SIGINT, then SIGKILL after `grace` seconds).
        extra_settings: Scrapy settings passed as `-s KEY=VALUE`.
    """
    limit = timeout if timeout is not None else settings.crawl.timeout_minutes * 60
    # One connection for the run's bookkeeping, held throughout: the verdict needs no new connection.
    conn = _connect(database_url, settings)
    try:
        run_id = crawls.start_run(conn, site, kind)
        extra = {"site": site, "run_id": run_id}
        command = child_command(settings, site, run_id, kind, limit, extra_settings or {})
        log.info("crawl starting", extra=extra)
        try:
            child = spawn(command, settings, database_url, site, run_id)
        except OSError as exc:
            crawls.finish_run(conn, run_id, "failed", f"could not start the crawl process: {exc}")
            raise
        try:
            ended_by = child.supervise(limit, stop, grace)
        except BaseException:  # the caller is going away (Ctrl-C, daemon exit): no orphan crawl
            child.close(grace)
            child.reap()
            with contextlib.suppress(psycopg.Error):  # else mark_abandoned settles the row later
                crawls.finish_run(conn, run_id, "interrupted", "runner stopped")
            raise
        conn = _alive(conn, database_url, settings)
        return _settle(conn, site, run_id, child, ended_by, limit)
    finally:
        conn.close()


def _alive(conn: psycopg.Connection, database_url: str, settings: Settings) -> psycopg.Connection:
    """The bookkeeping connection, re-opened if the database dropped it during the crawl."""
    if not conn.closed and not conn.broken:
        try:
            crawls.ping(conn)
            return conn
        except psycopg.OperationalError:
            conn.close()
    return _connect(database_url, settings)


SUMMARY = ("discovered", "known", "fetched", "stored", "on_topic", "duplicates", "errors", "blocked")


def summary(counts: dict[str, Any]) -> str:
    """The counts an operator reads first, in the order a crawl does things (`stored 4, ...`)."""
    return ", ".join(f"{name.replace('_', '-')} {counts.get(name, 0)}" for name in SUMMARY)


def _settle(
    conn: psycopg.Connection, site: str, run_id: int, child: Child, ended_by: str, limit: float
) -> CrawlOutcome:
    """Make the run row terminal if the child did not, and return what it says."""
    code = child.proc.returncode
    run = crawls.get_run(conn, run_id)
    if run is not None and run.status == "running":
        status, reason, counts = _verdict(child, ended_by, limit, code)
        crawls.finish_run(conn, run_id, status, reason, counts)
    elif run is not None and ended_by == "timeout" and run.status == "interrupted":
        crawls.relabel_run(conn, run_id, "timeout", f"killed after {limit:.0f} s")  # our SIGINT, not a user's
    run = crawls.get_run(conn, run_id)
    assert run is not None  # the row was ours; nothing deletes running rows
    level = logging.INFO if run.status == "finished" else logging.WARNING
    why = f" ({run.reason})" if run.reason else ""
    extra = {"site": site, "run_id": run_id}
    log.log(level, "crawl ended: %s%s; %s", run.status, why, summary(run.counts), extra=extra)
    return CrawlOutcome(run_id, site, run.status, run.reason, dict(run.counts), code)


def _verdict(child: Child, ended_by: str, limit: float, code: int | None) -> tuple[str, str, dict[str, int]]:
    result = child.result
    if result is not None and result.get("run_id") == child.run_id and ended_by == "exited":
        return str(result["status"]), str(result.get("reason") or ""), dict(result.get("counts") or {})
    counts = dict(result.get("counts") or {}) if result else {}
    if ended_by == "timeout":
        return "timeout", f"killed after {limit:.0f} s", counts
    if ended_by == "interrupted":
        return "interrupted", "stopped", counts
    return "crashed", _describe_exit(code), counts


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def mark_abandoned(db_or_conn: Database | psycopg.Connection, older_than: timedelta) -> int:
    """Rows stuck in 'running' past `older_than` whose crawl is gone become 'abandoned'; how many.

    A crawl is gone when nobody holds its site's lock, or when its process (on this host) is dead.
    """
    if isinstance(db_or_conn, Database):
        with db_or_conn.dedicated("abandon") as conn:
            return crawls.abandon_stale(conn, older_than)
    return crawls.abandon_stale(db_or_conn, older_than)
