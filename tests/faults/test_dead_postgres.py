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

import psycopg
import pytest

from tests.support.daemons import daemon, daemon_config, environment
from tests.support.fault_server import Fault, FaultServer, serve_faults
from tests.support.helpers import ROOT, pantau_env, wait_for
from tests.support.proxy import TcpProxy
from tests.support.replay import default_world

pytestmark = pytest.mark.slow  # real daemons, a real embedded server killed with SIGKILL


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with serve_faults(default_world()) as running:
        for story in running.world.of("okezone"):  # a crawl of ~8 s: long enough to be killed mid-way
            running.faults[f"{story.host}{story.path}"] = Fault("delay", seconds=1.5)
        yield running


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A short data dir outside pytest's basetemp (see test_embedded_lifetime); never left running."""
    path = Path(tempfile.mkdtemp(prefix="pantau-dp-"))
    try:
        yield path
    finally:
        pid = _postmaster(path)
        if pid is not None and _query(path, "SELECT 1") is not None:
            os.kill(pid, signal.SIGINT)  # a fast shutdown
            wait_for(lambda: _postmaster(path) is None, 60, "the embedded server to stop")
        shutil.rmtree(path, ignore_errors=True)


def _postmaster(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def _query(data_dir: Path, query: str) -> list[tuple[Any, ...]] | None:
    """The rows of `query` on the embedded archive; None while the server does not answer."""
    url = f"postgresql://postgres@/pantau?host={data_dir / 'pgdata'}&connect_timeout=2"
    try:
        with psycopg.connect(url) as conn:
            return conn.execute(query).fetchall()  # type: ignore[arg-type]
    except psycopg.Error:
        return None


def _runs(data_dir: Path) -> list[tuple[Any, ...]]:
    return _query(data_dir, "SELECT id, status, reason, pid FROM crawl_runs ORDER BY id") or []


def test_a_killed_embedded_postmaster_is_restarted_and_its_broken_run_closed(server, data_dir):
    config = daemon_config(data_dir / "pantau.toml", server, sites=["okezone"], interval_minutes=0.05)
    env = pantau_env(config=config, data_dir=data_dir, PYTHONPATH=str(ROOT))
    log = data_dir / "daemon.log"
    with daemon(env, log) as proc:
        run = wait_for(
            lambda: [r for r in _runs(data_dir) if r[1] == "running" and r[3] != proc.pid],
            120,
            "a crawl run adopted by its crawl process",
        )[0]
        killed = _postmaster(data_dir)
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: _postmaster(data_dir) not in (None, killed), 120, "a new postmaster")
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
        # Nothing lost: stored stories are whole and marked stored; the rest stay queued.
        marks = dict(_query(data_dir, "SELECT canonical_url, status FROM discovered_urls") or [])
        stored = _query(data_dir, "SELECT canonical_url, title <> '' AND body <> '' FROM articles") or []
        assert stored
        assert all(whole and marks[url] == "stored" for url, whole in stored)
        assert set(marks.values()) <= {"stored", "new", "failed"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    text = log.read_text()
    assert "restarting it" in text
    assert "is running again" in text
    # The crawl's own verdict when its store retries outlived the outage, else the daemon's.
    assert closed[1] in ("finished", "abandoned", "failed", "crashed"), closed
    assert _postmaster(data_dir) is None  # the daemon was its last user: the server stopped with it


def test_sigterm_while_the_database_is_unreachable_stops_with_exit_0(server, database_url, tmp_path):
    with TcpProxy.for_database(database_url) as proxy:
        config = daemon_config(tmp_path / "pantau.toml", server, sites=[])
        env = environment(config, proxy.url(database_url), tmp_path)
        log = tmp_path / "daemon.log"
        with daemon(env, log) as proc:
            wait_for(lambda: "daemon scheduled" in log.read_text(), 60, "the daemon to start")
            proxy.stop()  # every connection cut, new ones refused
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
    assert "could not record the daemon's stop" in log.read_text()
