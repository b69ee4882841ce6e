"""Is a daemon running? Heartbeats through the real commands: a second daemon, a daemon gone by SIGKILL."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.support.helpers import run_pantau, start_pantau, wait_for

STOP_BOUND = 20.0


@pytest.fixture
def archive_url(database_url):
    """The module's database with no heartbeat rows."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM daemon_heartbeats")
    return database_url


def beat_row(url: str, pid: int, *, host: str | None = None, age: timedelta = timedelta(seconds=5)) -> None:
    """A heartbeat as a daemon writes it, `age` old, never stopped."""
    now = datetime.now(UTC)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO daemon_heartbeats (instance, hostname, pid, started_at, beat_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (f"test:{pid}", host or socket.gethostname(), pid, now - timedelta(hours=1), now - age),
        )


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_daemon_killed_before_recording_its_stop_is_not_alive(archive_url, tmp_path):
    pid = dead_pid()
    beat_row(archive_url, pid)  # a fresh beat: before, `status` said alive for 3 more minutes
    check = run_pantau("status", "--check", database_url=archive_url, home=tmp_path, cwd=tmp_path)
    assert check.returncode == 1
    assert (
        check.stdout.strip()
        == f"unhealthy: the daemon (pid {pid} on {socket.gethostname()}) is gone; start `pantau run`"
    )
    status = run_pantau("status", database_url=archive_url, home=tmp_path, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    first = status.stdout.splitlines()[0]
    assert first.startswith("daemon: not running, last heartbeat ")
    assert f"(pid {pid} on {socket.gethostname()}, gone without recording its stop)" in first


def test_a_live_heartbeat_of_another_host_is_trusted_by_its_age(archive_url, tmp_path):
    beat_row(archive_url, dead_pid(), host="elsewhere.example")  # its pid means nothing here
    check = run_pantau("status", "--check", database_url=archive_url, home=tmp_path, cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert "on elsewhere.example" in check.stdout


@pytest.mark.slow
def test_a_second_daemon_on_one_archive_warns_with_the_first_ones_host_and_pid(archive_url, tmp_path):
    env = {"PANTAU_CRAWL__SITES": "[]", "PANTAU_DATABASE_URL": archive_url}  # no crawl leaves loopback
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    procs: list[subprocess.Popen[str]] = []
    try:
        for log in logs:
            with log.open("w") as err:
                procs.append(start_pantau("run", home=tmp_path, cwd=tmp_path, stderr=err, **env))
            wait_for(
                lambda log=log: "daemon scheduled" in log.read_text() or procs[-1].poll() is not None,
                120,
                f"the daemon of {log.name}",
            )
            assert procs[-1].poll() is None, log.read_text()
        first, second = (log.read_text() for log in logs)
        assert "another daemon" not in first
        # Both ran their digest job at start: APScheduler's "Running job" is DEBUG, not INFO.
        assert "apscheduler" not in first + second
        warnings = [line for line in second.splitlines() if "another daemon is running" in line]
        assert len(warnings) == 1, second
        assert f"pid {procs[0].pid} on {socket.gethostname()}" in warnings[0]
        assert " WARNING " in warnings[0]
        assert "that is safe" in warnings[0]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=STOP_BOUND) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
