"""run_crawl with real crawl subprocesses against a loopback server: every run ends with a verdict."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pantau.base.errors import DatabaseUnavailable
from pantau.base.settings import Settings, load_settings
from pantau.crawler.child import child_environment
from pantau.crawler.runner import CrawlOutcome, run_crawl
from pantau.storage import crawls, locks
from pantau.storage.db import Database
from tests.support.database import create_database
from tests.support.helpers import ROOT, pantau_env, wait_for
from tests.support.loopback import LoopbackServer
from tests.support.proxy import TcpProxy, unix_socket_of


@pytest.fixture
def settings(make_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # The child imports the test spiders from this checkout (its working directory is the data dir).
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return make_settings(crawl={"download_delay": 0})  # type: ignore[no-any-return]


def _crawl(settings: Settings, site: str, url: str, loopback: LoopbackServer, **kwargs: Any) -> CrawlOutcome:
    extra = {"SPIDER_MODULES": "tests.support.runner_spiders", "LOOPBACK_URL": loopback.url}
    return run_crawl(settings, site, database_url=url, extra_settings=extra, **kwargs)


def _run(db: Database, run_id: int) -> crawls.CrawlRun:
    with db.connection() as conn:
        run = crawls.get_run(conn, run_id)
    assert run is not None
    return run


@pytest.mark.slow
def test_a_finished_crawl_records_its_counts(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    outcome = _crawl(settings, "finishes", database_url, loopback)
    assert (outcome.status, outcome.reason, outcome.returncode) == ("finished", None, 0)
    assert outcome.counts["fetched"] == 1
    assert (outcome.counts["requests"], outcome.counts["status_200"], outcome.counts["status_404"]) == (
        2,
        1,
        1,
    )
    run = _run(db, outcome.run_id)
    assert (run.status, run.site, run.counts) == ("finished", "finishes", outcome.counts)
    assert run.pid not in (None, os.getpid())  # the child adopted the row
    assert sorted(loopback.paths()) == ["/ok", "/status?n=404"]


@pytest.mark.slow
def test_a_hanging_crawl_is_killed_at_its_time_limit(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    # 8 s: enough for the child to start and send its request even on a loaded machine.
    outcome = _crawl(settings, "hangs", database_url, loopback, timeout=8, grace=2)
    assert outcome.status == "timeout"
    run = _run(db, outcome.run_id)
    assert run.status == "timeout"
    assert loopback.paths() == ["/hang"]
    # Ended by a limit, not by the hang resolving (/hang answers only at shutdown): the parent's at
    # 8 s, or the child's own graceful one just below it (CLOSESPIDER_TIMEOUT); and the child is
    # gone, reaped rather than left hanging.
    assert outcome.reason in ("killed after 8 s", "closespider_timeout"), outcome.reason
    with pytest.raises(ProcessLookupError):
        os.kill(run.pid, 0)


@pytest.mark.slow
def test_a_crawl_killed_by_sigkill_is_recorded_crashed(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    outcome = _crawl(settings, "crashes", database_url, loopback)
    assert (outcome.status, outcome.reason, outcome.returncode) == ("crashed", "killed by SIGKILL", -9)
    run = _run(db, outcome.run_id)
    assert (run.status, run.reason) == ("crashed", "killed by SIGKILL")
    assert run.finished_at is not None


@pytest.mark.slow
def test_a_stopped_crawl_closes_gracefully_as_interrupted(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    stop = threading.Event()

    def stop_after_some_pages() -> None:
        wait_for(lambda: len(loopback.paths()) >= 3, 30, "three requests")
        stop.set()

    stopper = threading.Thread(target=stop_after_some_pages)
    stopper.start()
    outcome = _crawl(settings, "endless", database_url, loopback, stop=stop, grace=8)
    stopper.join()
    # The child closed itself (Scrapy's 'shutdown') and recorded its own counts, so within the
    # grace: killed after it, the parent would have written ('interrupted', 'stopped').
    assert (outcome.status, outcome.reason) == ("interrupted", "shutdown")
    assert outcome.counts["fetched"] >= 2
    assert _run(db, outcome.run_id).status == "interrupted"


@pytest.mark.slow
def test_a_site_crawled_elsewhere_is_skipped_without_a_request(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    with (
        psycopg.connect(database_url, autocommit=True) as other,
        locks.attempt(other, "crawl:finishes") as taken,
    ):
        assert taken
        outcome = _crawl(settings, "finishes", database_url, loopback)
    assert (outcome.status, outcome.reason) == ("skipped", "locked")
    assert _run(db, outcome.run_id).status == "skipped"
    assert loopback.paths() == []


@pytest.mark.slow
def test_an_unreachable_database_fails_the_run_before_any_request(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    # The proxy admits one connection (the runner's own): the crawl process finds the database
    # full, as with max_connections reached, and must not touch the site.
    with TcpProxy(unix_socket_of(database_url), max_connections=1) as proxy:
        outcome = _crawl(settings, "finishes", proxy.url(database_url), loopback)
    assert (outcome.status, outcome.reason) == ("failed", "db_unavailable")
    assert _run(db, outcome.run_id).status == "failed"
    assert loopback.paths() == []


@pytest.mark.slow
def test_blocks_and_nothing_fetched_is_a_blocked_run(
    settings: Settings, database_url: str, loopback: LoopbackServer
) -> None:
    outcome = _crawl(settings, "blocked", database_url, loopback)
    assert outcome.status == "blocked"
    assert outcome.counts["blocked"] == 1


def test_the_child_sees_the_parents_effective_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuned = settings.model_copy(update={"crawl": settings.crawl.model_copy(update={"max_pages": 7})})
    env = child_environment(tuned, "postgresql://u:secret@127.0.0.1:1/x")
    assert "secret" not in " ".join(v for k, v in env.items() if k != "PANTAU_DATABASE_URL")
    monkeypatch.setattr(os, "environ", env)
    seen = load_settings(None)
    assert seen.crawl.max_pages == 7
    assert seen.model_dump(exclude={"database_url"}) == tuned.model_dump(exclude={"database_url"})


@pytest.mark.slow
def test_scrapy_crawl_by_hand_migrates_a_fresh_database_and_records_its_run(
    pg_admin_url: str, tmp_path: Path, loopback: LoopbackServer
) -> None:
    fresh = create_database(pg_admin_url, "t_crawl_by_hand")
    env = pantau_env(database_url=fresh, data_dir=tmp_path, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "scrapy", "crawl", "finishes", "-s", "LOOPBACK_URL=" + loopback.url]
    command += ["-s", "SPIDER_MODULES=tests.support.runner_spiders"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with psycopg.connect(fresh) as conn:
        runs = conn.execute("SELECT site, status, pid FROM crawl_runs").fetchall()
    assert [(site, status) for site, status, _pid in runs] == [("finishes", "finished")]
    assert loopback.paths().count("/ok") == 1


def test_no_crawl_starts_when_the_run_cannot_be_recorded(
    settings: Settings, db: Database, loopback: LoopbackServer
) -> None:
    with db.connection() as conn:
        before = conn.execute("SELECT count(*) FROM crawl_runs").fetchone()
    closed = "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(DatabaseUnavailable, match=r"cannot reach PostgreSQL at 127\.0\.0\.1:1/nowhere"):
        _crawl(settings, "finishes", closed, loopback)
    assert loopback.paths() == []
    with db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone() == before


class _InterruptingEvent(threading.Event):
    """A stop event whose wait raises KeyboardInterrupt once `ready()` holds: Ctrl-C in the caller."""

    def __init__(self, ready: Any) -> None:
        super().__init__()
        self.ready = ready

    def wait(self, timeout: float | None = None) -> bool:
        if self.ready():
            raise KeyboardInterrupt
        return super().wait(timeout)


@pytest.mark.slow
def test_a_caller_interrupted_mid_crawl_leaves_no_orphan_crawl(
    settings: Settings, database_url: str, db: Database, loopback: LoopbackServer
) -> None:
    stop = _InterruptingEvent(lambda: len(loopback.paths()) >= 2)
    with pytest.raises(KeyboardInterrupt):
        _crawl(settings, "endless", database_url, loopback, stop=stop, grace=8)
    with db.connection() as conn:
        run = conn.execute("SELECT status, pid FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    assert run is not None
    assert run[0] == "interrupted"
    with pytest.raises(ProcessLookupError):  # the crawl process is gone (reaped), not orphaned
        os.kill(run[1], 0)
