"""Issue 15 item 3: a run whose processes were SIGKILLed is closed as soon as they are gone.

An OOM or cgroup kill takes the daemon (or `pantau crawl`) and its crawl child at once, so nobody
records a verdict. The next daemon closes such a run at start, and a running daemon closes one
left by any other pantau process before its next crawl: no 5-minute wait, and no story lost.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from pantau.storage.db import Database
from tests.faults.conftest import rows
from tests.support.daemons import daemon, daemon_config, environment
from tests.support.helpers import start_pantau, wait_for

pytestmark = pytest.mark.slow  # real daemons and crawls, killed for real


@pytest.fixture
def fresh(db: Database) -> Database:
    with db.connection() as conn:
        conn.execute("TRUNCATE articles, discovered_urls, crawl_runs, daemon_heartbeats, site_health CASCADE")
    return db


def _okezone_run(db: Database) -> tuple[Any, ...] | None:
    found = rows(db, "SELECT id, status, reason, pid FROM crawl_runs WHERE site = 'okezone' ORDER BY id")
    return found[0] if found else None


def _kill_mid_crawl(db: Database, parent: int) -> int:
    """Wait until the crawl child adopted its row and stored a story, then SIGKILL it and `parent`."""
    run = wait_for(
        lambda: (r := _okezone_run(db)) and r[3] != parent and rows(db, "SELECT 1 FROM articles") and r,
        90,
        "the okezone crawl to adopt its run and store a story",
    )
    for pid in (parent, run[3]):  # at once, as the OOM killer takes a cgroup
        os.kill(pid, signal.SIGKILL)
    return int(run[0])


def _nothing_lost(db: Database) -> None:
    """Every stored story is whole and marked stored; every other discovered URL stays queued."""
    assert len(rows(db, "SELECT 1 FROM articles WHERE title <> '' AND body <> ''")) == len(
        rows(db, "SELECT 1 FROM articles")
    )
    marks = dict(rows(db, "SELECT canonical_url, status FROM discovered_urls"))
    assert all(marks[url] == "stored" for (url,) in rows(db, "SELECT canonical_url FROM articles"))
    assert set(marks.values()) <= {"stored", "new", "failed"}


def _status(db: Database, run_id: int) -> tuple[Any, ...]:
    return rows(db, "SELECT status, reason FROM crawl_runs WHERE id = %s", run_id)[0]


def test_a_daemon_restarted_at_once_closes_the_run_its_killed_predecessor_left(
    fresh, slow_okezone, database_url, tmp_path
):
    config = daemon_config(tmp_path / "pantau.toml", slow_okezone, sites=["okezone"], interval_minutes=0.05)
    env = environment(config, database_url, tmp_path)
    with daemon(env, tmp_path / "first.log") as first:
        run_id = _kill_mid_crawl(fresh, first.pid)
        first.wait(timeout=30)
    assert _status(fresh, run_id) == ("running", None)  # nobody could record a verdict
    with daemon(env, tmp_path / "second.log") as second:  # restarted well within 5 minutes
        wait_for(lambda: _status(fresh, run_id)[0] != "running", 30, f"run {run_id} to be closed")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0, (tmp_path / "second.log").read_text()[-2000:]
    assert _status(fresh, run_id) == ("abandoned", "its crawl process is gone")
    _nothing_lost(fresh)


def test_a_running_daemon_closes_the_run_of_a_killed_pantau_crawl_before_its_next_crawl(
    fresh, slow_okezone, database_url, tmp_path
):
    config = daemon_config(tmp_path / "pantau.toml", slow_okezone, sites=["detik"], interval_minutes=0.05)
    env = environment(config, database_url, tmp_path)
    with daemon(env, tmp_path / "daemon.log") as running:
        manual = start_pantau("crawl", "okezone", env=env)
        try:
            run_id = _kill_mid_crawl(fresh, manual.pid)
        finally:
            manual.kill()
            manual.wait(timeout=30)
        wait_for(lambda: _status(fresh, run_id)[0] != "running", 30, f"run {run_id} to be closed")
        assert running.poll() is None
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=60) == 0, (tmp_path / "daemon.log").read_text()[-2000:]
    assert _status(fresh, run_id) == ("abandoned", "its crawl process is gone")
    _nothing_lost(fresh)
