"""Run one crawl of one site in a subprocess, bounded in time and memory, always with a verdict.

A Twisted reactor cannot be restarted, so every crawl is `python -m scrapy crawl <site>` in its own
process group (as scrapyd does). The parent inserts the crawl_runs row before spawning; the child's
RunRecorder adopts it and records the verdict. When the child cannot (killed, crashed, database
lost), the parent does: from the child's PANTAU_RESULT line if it printed one, else `timeout`,
`interrupted` or `crashed` with the exit status. The exit code alone is never the verdict.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import conninfo

from pantau.base.errors import DatabaseUnavailable
from pantau.storage import crawls
from pantau.storage.db import Database, Timeouts, connection_kwargs, describe_server, first_line

if TYPE_CHECKING:
    from pantau.base.settings import Settings

log = logging.getLogger(__name__)
child_log = logging.getLogger("pantau.crawler.child")
SETTINGS_MODULE = "pantau.crawler.settings"
RESULT_MARKER = "PANTAU_RESULT "  # starts the line crawler.extensions.RunRecorder prints its verdict on
MIN_ADDRESS_SPACE_MB = 1024
GRACE_SECONDS = 10.0  # after SIGINT, how long the crawl may take to close before SIGKILL
# Scrapy's default log format: "2024-06-19 10:00:00 [logger.name] LEVEL: message"
_LOG_LINE = re.compile(r"^\S+ \S+ \[(?P<name>[^\]]+)\] (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL): ")


@dataclass(frozen=True)
class CrawlOutcome:
    """How one crawl ended, as recorded in its crawl_runs row."""

    run_id: int
    site: str
    status: str
    reason: str | None
    counts: dict[str, int]
    returncode: int | None


def closespider_timeout(limit: float) -> int:
    """The child's own graceful time limit: a little below the parent's hard one."""
    return max(1, int(limit - min(30.0, limit * 0.1)))


def child_command(
    settings: Settings, site: str, run_id: int, kind: str, limit: float, extra: Mapping[str, str]
) -> list[str]:
    """`python -m scrapy crawl <site>` with the run id, limits and extra settings."""
    values = {
        "PANTAU_RUN_ID": str(run_id),
        "PANTAU_RUN_KIND": kind,
        "CLOSESPIDER_TIMEOUT": str(closespider_timeout(limit)),
        "MEMUSAGE_LIMIT_MB": str(settings.crawl.memory_limit_mb),  # graceful: memusage_exceeded
        "LOG_LEVEL": settings.log_level,
        **extra,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", site]
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    return command


def child_environment(settings: Settings, database_url: str) -> dict[str, str]:
    """The parent's environment plus the effective pantau settings, so the child crawls as configured.

    Each top-level key goes as PANTAU_<KEY>=<json> (pydantic-settings parses JSON for sections), so
    a config file the parent read with --config reaches the child too. Secrets are not in the dump:
    the database URL travels in PANTAU_DATABASE_URL only, never on the command line.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    data = settings.model_dump(mode="json", exclude={"database_url", "smtp_url"})
    for key, value in data.items():
        env[f"PANTAU_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    env["PANTAU_DATABASE_URL"] = database_url
    env["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE  # the working directory does not matter then
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class _Child:
    """A running crawl process and the thread that forwards its output."""

    proc: subprocess.Popen[str]
    site: str
    run_id: int
    result: dict[str, Any] | None = None
    reader: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._forward, name=f"crawl-{self.site}-log", daemon=True)
        self.reader.start()

    def _forward(self) -> None:
        """Log each output line at its own level; read to the end so the pipe never fills up."""
        extra = {"site": self.site, "run_id": self.run_id}
        level = logging.INFO
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.rstrip("\n")
            if line.startswith(RESULT_MARKER):
                self.result = _parse_result(line[len(RESULT_MARKER) :])
                continue
            match = _LOG_LINE.match(line)
            if match:  # continuation lines (tracebacks, stats dumps) keep the last level
                level = int(logging.getLevelName(match["level"]))
            child_log.log(level, "%s", line, extra=extra)

    def signal_group(self, signum: int) -> None:
        """Send a signal to the crawl's whole process group (gone already: nothing to do)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def supervise(self, limit: float, stop: threading.Event | None, grace: float) -> str:
        """Wait for the child: 'exited', or 'timeout' / 'interrupted' once asked to close."""
        deadline = time.monotonic() + limit
        ended_by = "exited"
        while self.proc.poll() is None:
            if stop is not None and stop.is_set():
                ended_by = "interrupted"
                break
            if time.monotonic() >= deadline:
                ended_by = "timeout"
                break
            _wait(self.proc, stop, min(0.2, max(0.0, deadline - time.monotonic())))
        if ended_by != "exited":
            log.warning("closing the crawl (%s)", ended_by, extra={"site": self.site, "run_id": self.run_id})
            self.close(grace)
        self.reap()
        return ended_by

    def close(self, grace: float) -> None:
        """SIGINT (Scrapy closes gracefully, reason 'shutdown'), then SIGKILL after `grace` seconds."""
        self.signal_group(signal.SIGINT)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.error("crawl did not close within %.0f s; killing it", grace, extra={"site": self.site})
            self.signal_group(signal.SIGKILL)
            self.proc.wait()

    def reap(self) -> None:
        """Finish reading the output (EOF once the group is gone) and close the pipe."""
        self.reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _wait(proc: subprocess.Popen[str], stop: threading.Event | None, seconds: float) -> None:
    if stop is not None:
        stop.wait(seconds)  # wakes at once when stop is set
    else:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=seconds)


def _parse_result(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


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
            child = _spawn(command, settings, database_url, site, run_id)
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


def _spawn(command: list[str], settings: Settings, database_url: str, site: str, run_id: int) -> _Child:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Address space, a hard backstop above the resident limit (MEMUSAGE_LIMIT_MB); an interpreter with
    # Scrapy and lxml reserves several hundred MB of it before fetching anything.
    cap = max(2 * settings.crawl.memory_limit_mb, MIN_ADDRESS_SPACE_MB) * 1024 * 1024
    proc = subprocess.Popen(
        command,
        cwd=settings.data_dir,
        env=child_environment(settings, database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: signals reach the crawl, not the daemon
        # Bound in advance: the forked child runs no Python-level imports or locks before exec.
        preexec_fn=partial(resource.setrlimit, resource.RLIMIT_AS, (cap, cap)),
    )
    return _Child(proc, site, run_id)


def _alive(conn: psycopg.Connection, database_url: str, settings: Settings) -> psycopg.Connection:
    """The bookkeeping connection, re-opened if the database dropped it during the crawl."""
    if not conn.closed and not conn.broken:
        try:
            crawls.ping(conn)
            return conn
        except psycopg.OperationalError:
            conn.close()
    return _connect(database_url, settings)


def _settle(
    conn: psycopg.Connection, site: str, run_id: int, child: _Child, ended_by: str, limit: float
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
    log.log(level, "crawl ended: %s %s", run.status, run.reason or "", extra={"site": site, "run_id": run_id})
    return CrawlOutcome(run_id, site, run.status, run.reason, dict(run.counts), code)


def _verdict(child: _Child, ended_by: str, limit: float, code: int | None) -> tuple[str, str, dict[str, int]]:
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


def mark_abandoned(
    db_or_conn: Database | psycopg.Connection, older_than: timedelta = timedelta(minutes=5)
) -> int:
    """Rows left 'running' by a crawl that is gone become 'abandoned'; how many.

    A crawl is gone at once when the process its row names (on this host) is dead, and after
    `older_than` when nobody holds its site's lock (a row from another host).
    """
    if isinstance(db_or_conn, Database):
        with db_or_conn.dedicated("abandon") as conn:
            return crawls.abandon_stale(conn, older_than)
    return crawls.abandon_stale(db_or_conn, older_than)
