"""Issue 15 item 2: the embedded PostgreSQL no longer outlives a SIGKILLed pantau.

pgserver lists the pids using the server in pgdata/.handle_pids.json and stops it when the last
one leaves; a SIGKILLed process never leaves. Here a real `pantau run` on the embedded database is
killed with SIGKILL, and the next pantau command to finish (or `pantau db stop`) stops the server.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.embedded import postmaster_pid, stop_if_running
from tests.support.helpers import run_pantau, start_pantau, wait_for

pytestmark = pytest.mark.slow  # each test initialises and starts its own embedded server


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir with no database configured (so pantau embeds one); never left running."""
    # Short (the socket path must stay under 107 bytes) and outside pytest's basetemp, which
    # root's pytest resets to mode 0700, locking out the server's own user.
    path = Path(tempfile.mkdtemp(prefix="pantau-el-"))
    (path / "pantau.toml").write_text("[crawl]\nsites = []\n")
    try:
        yield path
    finally:
        stop_if_running(path)
        shutil.rmtree(path, ignore_errors=True)


def _pantau(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pantau(*args, config=data_dir / "pantau.toml", data_dir=data_dir, timeout=180)


def _killed_daemon(data_dir: Path) -> int:
    """Start `pantau run` on the embedded database, wait until it is scheduled, SIGKILL it; its pid."""
    log = data_dir / "daemon.log"
    with log.open("wb") as err:
        proc = start_pantau("run", config=data_dir / "pantau.toml", data_dir=data_dir, stderr=err)
    try:
        wait_for(lambda: "daemon scheduled" in log.read_text(), 120, "the daemon to start")
        users = json.loads((data_dir / "pgdata" / ".handle_pids.json").read_text())
        assert proc.pid in users  # pgserver counts it as a user of the server
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    return proc.pid


def _running(data_dir: Path) -> bool:
    """Whether the embedded server runs: postgres removes postmaster.pid when it shuts down."""
    return postmaster_pid(data_dir) is not None


def test_the_next_command_stops_the_server_a_sigkilled_daemon_left_running(data_dir):
    _killed_daemon(data_dir)
    assert _running(data_dir)  # its last user died without a word
    done = _pantau(data_dir, "db", "status")
    assert done.returncode == 0, done.stderr
    assert not _running(data_dir)  # the last live user left: the server stopped with it


def test_db_stop_refuses_while_the_daemon_runs_and_stops_what_a_killed_one_left(data_dir):
    log = data_dir / "daemon.log"
    with log.open("wb") as err:
        live = start_pantau("run", config=data_dir / "pantau.toml", data_dir=data_dir, stderr=err)
    try:
        wait_for(lambda: "daemon scheduled" in log.read_text(), 120, "the daemon to start")
        refused = _pantau(data_dir, "db", "stop")
        assert refused.returncode == 2
        assert len(refused.stderr.strip().splitlines()) == 1
        assert f"in use by pid(s) {live.pid}" in refused.stderr
        assert _running(data_dir)
    finally:
        live.send_signal(signal.SIGKILL)
        live.wait(timeout=30)
    stopped = _pantau(data_dir, "db", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.startswith("stopped the embedded PostgreSQL in ")
    assert not _running(data_dir)
    again = _pantau(data_dir, "db", "stop")
    assert again.returncode == 0
    assert "is not running: its files are safe to copy" in again.stdout
