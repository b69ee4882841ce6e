"""Scenarios 23-26 with real `pantau run` daemons over the fault server, and `pantau status` output.

23 a crawl slower than its interval, 24 two daemons on one database, 25 a hung crawl killed at its
time limit (and stale 'running' rows abandoned at start-up), 26 SIGTERM in the middle of a crawl.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pantau.storage.db import Database
from tests.faults.conftest import rows
from tests.support.daemons import daemon, daemon_config, environment
from tests.support.fault_server import Fault, FaultServer, serve_faults
from tests.support.helpers import run_pantau, wait_for
from tests.support.replay import default_world

pytestmark = pytest.mark.slow  # real `pantau run` daemons

STOP_BOUND = 25.0  # seconds from SIGTERM to exit: the runner's 10 s grace plus start-up margins


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with serve_faults(default_world()) as running:
        yield running


@pytest.fixture
def fresh(db: Database, server: FaultServer) -> Database:
    """No runs, articles, digests or heartbeats from an earlier test; no faults left on the server."""
    with db.connection() as conn:
        conn.execute(
            "TRUNCATE articles, discovered_urls, crawl_runs, subscriptions, digests, deliveries,"
            " daemon_heartbeats, site_health CASCADE"
        )
    server.faults.clear()
    server.clear_log()
    return db


def _runs(db: Database, site: str) -> list[tuple[Any, ...]]:
    return rows(
        db,
        "SELECT id, status, reason, started_at, finished_at, counts FROM crawl_runs"
        " WHERE site = %s ORDER BY id",
        site,
    )


def _no_overlap(runs: list[tuple[Any, ...]], server: FaultServer, host: str) -> None:
    """No two crawls of one site that requested anything ran at the same time.

    A row's started_at is the parent's insert, before its child tries the site lock, so rows are no
    measure of the lock. A crawl's first request is its robots.txt (after it took the lock) and its
    verdict is written before the lock goes: the k-th robots.txt request must come after the
    (k-1)-th working crawl's verdict. Rows that sent nothing (skipped:locked, interrupted before
    their child took the lock) are no crawls.
    """
    worked = sorted((r for r in runs if r[5].get("requests")), key=lambda r: r[4])
    offset = time.time() - time.monotonic()  # the server logs monotonic time in this process
    robots = sorted(r.at + offset for r in server.requests() if (r.host, r.path) == (host, "/robots.txt"))
    assert len(robots) == len(worked), (robots, runs)
    for previous, start in zip(worked, robots[1:], strict=False):
        assert start > previous[4].timestamp(), f"a crawl started before run {previous[0]} ended: {runs}"


def _slow_stories(server: FaultServer, site: str, seconds: float) -> None:
    for story in server.world.of(site):
        server.faults[f"{story.host}{story.path}"] = Fault("delay", seconds=seconds)


def _stop(proc: Any) -> None:
    """SIGTERM the daemon; it exits 0 (a hang fails here, past the bound)."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=STOP_BOUND + 5) == 0


def test_s23_s26_a_slow_crawl_is_never_overlapped_and_sigterm_interrupts_it_cleanly(
    fresh, server, database_url, tmp_path
):
    _slow_stories(server, "okezone", 1.5)  # five stories: a crawl of ~8 s, the interval is 3 s
    config = daemon_config(tmp_path / "pantau.toml", server, sites=["okezone"], interval_minutes=0.05)
    env = environment(config, database_url, tmp_path)
    log = tmp_path / "daemon.log"
    with daemon(env, log) as proc:
        wait_for(lambda: "skipped: its previous run is still going" in log.read_text(), 60, "a skipped fire")
        # A manual crawl of the same site meanwhile is refused by the site's lock, without a request.
        before = len(server.requests("okezone"))
        manual = run_pantau("crawl", "okezone", env=env)
        assert re.search(r"^okezone\s.*skipped \(locked\)", manual.stdout, re.M), (
            manual.stdout + manual.stderr
        )
        assert manual.returncode == 1
        wait_for(lambda: len(server.requests("okezone")) > before + 1, 30, "the crawl to fetch stories")
        _stop(proc)  # SIGTERM mid-crawl
    text = log.read_text()
    assert "did not close within" not in text, text[-3000:]  # the crawl closed in its grace, unkilled
    assert "SIGTERM received: stopping" in text
    assert "daemon stopped" in text
    runs = _runs(fresh, "okezone")
    _no_overlap(runs, server, "www.okezone.com")
    worked = [r for r in runs if r[1] != "skipped"]
    assert [r[1:3] for r in worked] == [("interrupted", "shutdown")]  # the child closed as Scrapy does
    assert [r[1:3] for r in runs if r[1] == "skipped"] == [("skipped", "locked")]  # the manual crawl
    # Nothing half-written: every stored story is whole and marked stored; the rest stay queued (I1).
    stored = rows(fresh, "SELECT canonical_url FROM articles WHERE title <> '' AND body <> ''")
    assert len(stored) == len(rows(fresh, "SELECT 1 FROM articles"))
    marks = dict(rows(fresh, "SELECT canonical_url, status FROM discovered_urls"))
    assert all(marks[url] == "stored" for (url,) in stored)
    assert set(marks.values()) <= {"stored", "new", "failed"}
    assert rows(fresh, "SELECT stopped_at IS NOT NULL FROM daemon_heartbeats") == [(True,)]


def test_s25_a_hung_crawl_is_killed_at_its_limit_and_the_daemon_goes_on(
    fresh, server, database_url, tmp_path
):
    with fresh.connection() as conn:  # a crawl that died long ago, its row left 'running'
        conn.execute(
            "INSERT INTO crawl_runs (site, started_at, status, pid, hostname)"
            " VALUES ('bisnis', now() - interval '10 minutes', 'running', 999999, 'elsewhere')"
        )
    server.faults["www.bisnis.com/robots.txt"] = Fault("hang")  # never answers, DOWNLOAD_TIMEOUT 30 s
    config = daemon_config(
        tmp_path / "pantau.toml", server, sites=["bisnis"], interval_minutes=0.15, timeout_minutes=0.1
    )
    env = environment(config, database_url, tmp_path)
    log = tmp_path / "daemon.log"
    with daemon(env, log) as proc:
        wait_for(lambda: [r for r in _runs(fresh, "bisnis")[1:] if r[1] == "timeout"], 90, "the timeout")
        del server.faults["www.bisnis.com/robots.txt"]  # the site answers again
        wait_for(lambda: [r for r in _runs(fresh, "bisnis") if r[1] == "finished"], 90, "the next crawl")
        assert proc.poll() is None  # the daemon survived its crawl's kill
        _stop(proc)
    runs = _runs(fresh, "bisnis")
    assert runs[0][1:3] == ("abandoned", "its crawl process is gone")  # I3 for the stale row
    timed_out = [r for r in runs if r[1] == "timeout"]
    assert timed_out
    assert all((r[4] - r[3]).total_seconds() < 6 + 10 + 5 for r in timed_out)  # limit + grace + margin
    assert [r[1] for r in runs][-1] in ("finished", "interrupted")


def test_s24_two_daemons_never_crawl_one_site_at_once_and_send_each_digest_once(
    fresh,
    server,
    database_url,
    tmp_path,
    smtp,
):
    handler, smtp_url = smtp
    sub = {"name": "analysts", "recipients": ["a@example.org"], "schedule": "* * * * *", "send_empty": True}
    config = daemon_config(
        tmp_path / "pantau.toml", server, sites=["detik"], interval_minutes=0.05, subscriptions=[sub]
    )
    env = environment(config, database_url, tmp_path, smtp_url)
    with daemon(env, tmp_path / "a.log") as first, daemon(env, tmp_path / "b.log") as second:
        wait_for(lambda: len(_runs(fresh, "detik")) >= 4, 90, "four detik crawl runs")
        wait_for(lambda: rows(fresh, "SELECT 1 FROM deliveries WHERE status = 'sent'"), 90, "a delivery")
        check = run_pantau("status", "--check", env=env)
        status = run_pantau("status", env=env)
        for proc in (first, second):
            _stop(proc)
    _no_overlap(_runs(fresh, "detik"), server, "www.detik.com")
    assert {r[2] for r in _runs(fresh, "detik") if r[1] == "skipped"} <= {"locked"}
    deliveries = rows(fresh, "SELECT digest_id, recipient, status, message_id FROM deliveries")
    sent = [d for d in deliveries if d[2] == "sent"]
    assert len({(d[0], d[1]) for d in deliveries}) == len(deliveries)  # one per (digest, recipient)
    assert len(handler.received) == len(sent)  # I2: what was marked sent was sent, once
    assert len({r.message["Message-ID"] for r in handler.received}) == len(handler.received)
    periods = rows(fresh, "SELECT subscription, period_end, count(*) FROM digests GROUP BY 1, 2")
    assert all(count == 1 for *_, count in periods)
    # `pantau status --check` and `pantau status` while they ran:
    assert check.returncode == 0, check.stdout + check.stderr
    assert re.fullmatch(r"ok: daemon pid \d+ on \S+, heartbeat \d+ s ago\n", check.stdout)
    assert re.match(r"daemon: alive, pid \d+ on \S+, last heartbeat \d+ s ago", status.stdout), status.stdout
    assert re.search(
        r"^  detik +last .* WIB (finished|skipped|running)\b.*; next .*; ok$", status.stdout, re.M
    )
    assert re.search(r"^  analysts: last period ended .* \((sent|empty)\); next ", status.stdout, re.M)
    assert re.search(r"^deliveries: \d+ pending, \d+ sending, [1-9]\d* sent, 0 failed$", status.stdout, re.M)
    stopped = run_pantau("status", "--check", env=env)
    assert stopped.returncode == 1
    assert stopped.stdout.startswith("unhealthy: no daemon is running")


def test_status_check_says_why_when_the_database_is_down(server, tmp_path: Path):
    config = daemon_config(tmp_path / "pantau.toml", server, sites=["detik"])
    env = environment(config, "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2", tmp_path)
    result = run_pantau("status", "--check", env=env)
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy: ")
    assert "127.0.0.1:1/nowhere" in result.stdout
