"""Issue 15 item 1: a killed embedded PostgreSQL is restarted by the daemon, and its run closed.

A real `pantau run` on the embedded database crawls a slow site; its postmaster gets `kill -9`.
The daemon starts the server again, closes the crawl run the kill broke, crawls again and stops
with exit code 0 on SIGTERM. And when the database cannot be reached at all at SIGTERM (an
external server behind a stopped proxy), the daemon still stops cleanly with 0.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.daemons import daemon, daemon_config, environment
from tests.support.embedded import embedded_rows, postmaster_pid, stop_if_running
from tests.support.helpers import ROOT, pantau_env, wait_for
from tests.support.proxy import TcpProxy

pytestmark = pytest.mark.slow  # real daemons, a real embedded server killed with SIGKILL


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A short data dir outside pytest's basetemp (see test_embedded_lifetime); never left running."""
    path = Path(tempfile.mkdtemp(prefix="pantau-dp-"))
    try:
        yield path
    finally:
        stop_if_running(path)
        shutil.rmtree(path, ignore_errors=True)


def _runs(data_dir: Path) -> list[tuple[Any, ...]]:
    return embedded_rows(data_dir, "SELECT id, status, reason, pid FROM crawl_runs ORDER BY id") or []


def test_a_killed_embedded_postmaster_is_restarted_and_its_broken_run_closed(slow_okezone, data_dir):
    config = daemon_config(data_dir / "pantau.toml", slow_okezone, sites=["okezone"], interval_minutes=0.05)
    env = pantau_env(config=config, data_dir=data_dir, PYTHONPATH=str(ROOT))
    log = data_dir / "daemon.log"
    with daemon(env, log) as proc:
        run = wait_for(
            lambda: [r for r in _runs(data_dir) if r[1] == "running" and r[3] != proc.pid],
            120,
            "a crawl run adopted by its crawl process",
        )[0]
        killed = postmaster_pid(data_dir)
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: postmaster_pid(data_dir) not in (None, killed), 120, "a new postmaster")
        closed = wait_for(
            lambda: [r for r in _runs(data_dir) if r[0] == run[0] and r[1] != "running"],
            120,
            f"crawl run {run[0]} to be closed",
        )[0]
        wait_for(
            lambda: [r for r in _runs(data_dir) if r[0] > run[0] and r[1] == "finished"],
            120,
            "a crawl after the restart to finish",
        )
        assert proc.poll() is None  # the daemon lived through it
        # Nothing lost (I1): stored stories are whole, a URL marked stored has its story, the rest
        # stay queued. (A story stored while its run's discovery rows were lost to the outage is
        # marked again by the next run that lists it: 'new' until then.)
        marks = dict(embedded_rows(data_dir, "SELECT canonical_url, status FROM discovered_urls") or [])
        stored = dict(
            embedded_rows(data_dir, "SELECT canonical_url, title <> '' AND body <> '' FROM articles") or []
        )
        assert stored
        assert all(stored.values())
        assert all(url in stored for url, mark in marks.items() if mark == "stored")
        assert set(marks.values()) <= {"stored", "new", "failed"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    text = log.read_text()
    assert "restarting it" in text
    assert "is running again" in text
    # The crawl's own verdict when its store retries outlived the outage, else the daemon's.
    assert closed[1] in ("finished", "abandoned", "failed", "crashed"), closed
    assert postmaster_pid(data_dir) is None  # the daemon was its last user: the server stopped with it


def test_sigterm_while_the_database_is_unreachable_stops_with_exit_0(slow_okezone, database_url, tmp_path):
    with TcpProxy.for_database(database_url) as proxy:
        config = daemon_config(tmp_path / "pantau.toml", slow_okezone, sites=[])
        env = environment(config, proxy.url(database_url), tmp_path)
        log = tmp_path / "daemon.log"
        with daemon(env, log) as proc:
            wait_for(lambda: "daemon scheduled" in log.read_text(), 60, "the daemon to start")
            proxy.stop()  # every connection cut, new ones refused
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
    assert "could not record the daemon's stop" in log.read_text(), log.read_text()[-2000:]
