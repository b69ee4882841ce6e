"""`pantau status` as an operator reads it: a few counts per site, all with --verbose, no "next" when down."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.support.helpers import run_pantau

COUNTS = {
    "discovered": 9,
    "known": 4,
    "fetched": 5,
    "stored": 5,
    "on_topic": 2,
    "errors": 0,
    "blocked": 1,
    "requests": 17,
    "status_200": 16,
    "backing_off": 1,
    "fallback": 0,
    "replacement_chars": 0,
}


@pytest.fixture
def archive(database_url):
    """One finished detik run with many counts; no heartbeat yet."""
    now = datetime.now(UTC)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM daemon_heartbeats")
        conn.execute("DELETE FROM crawl_runs")
        conn.execute(
            "INSERT INTO crawl_runs (site, started_at, finished_at, status, counts)"
            " VALUES ('detik', %s, %s, 'finished', %s)",
            (now - timedelta(minutes=3), now - timedelta(minutes=2), json.dumps(COUNTS)),
        )
    return database_url


def beat(url: str, *, stopped: bool) -> None:
    """A heartbeat of this test process (alive, on this host), stopped or not."""
    now = datetime.now(UTC)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO daemon_heartbeats (instance, hostname, pid, started_at, beat_at, stopped_at)"
            " VALUES ('t', %s, %s, %s, %s, %s)",
            (socket.gethostname(), os.getpid(), now - timedelta(hours=1), now, now if stopped else None),
        )


def status(url, tmp_path, *args):
    result = run_pantau(
        "status", *args, database_url=url, home=tmp_path, cwd=tmp_path, PANTAU_CRAWL__SITES='["detik"]'
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_stopped_daemon_shows_its_last_heartbeat_and_no_next_crawls(archive, tmp_path):
    beat(archive, stopped=True)
    lines = status(archive, tmp_path)
    assert lines[0].startswith("daemon: not running, last heartbeat ")
    assert f"(stopped; pid {os.getpid()} on {socket.gethostname()})" in lines[0]
    assert lines[1] == "sites (no crawl is scheduled while the daemon is not running):"
    detik = lines[2]
    assert detik.startswith("  detik    last ")
    assert "next" not in detik
    assert detik.endswith(" finished (fetched 5, stored 5, on-topic 2, errors 0, blocked 1); ok")


def test_verbose_shows_every_count(archive, tmp_path):
    beat(archive, stopped=True)
    detik = status(archive, tmp_path, "--verbose")[2]
    for name, value in COUNTS.items():
        assert f"{name.replace('_', '-')} {value}" in detik


def test_a_running_daemon_shows_the_next_crawls(archive, tmp_path):
    beat(archive, stopped=False)
    lines = status(archive, tmp_path)
    assert lines[0].startswith(f"daemon: alive, pid {os.getpid()} on ")
    assert lines[1] == "sites:"
    assert "; next " in lines[2]
    assert lines[2].endswith(" WIB; ok")


def test_a_database_that_never_had_a_daemon(archive, tmp_path):
    assert status(archive, tmp_path)[0] == (
        "daemon: not running, never ran on this database; start it with `pantau run`"
    )
