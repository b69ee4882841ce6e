"""Interrupted backfills continue where they stopped: Ctrl-C (graceful), and a child killed outright."""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta

import pytest

from pantau.crawler.backfill.plan import chunks, walks
from tests.support.backfill import TOPIC, article_paths, query, stored_urls
from tests.support.helpers import wait_for
from tests.support.replay.world import SITES

pytestmark = pytest.mark.slow  # backfills start child crawls


def _targets_of_checkpoints(database_url, job):
    """The URL (host/path?query) of every checkpointed listing page of the job's range."""
    by_key = {
        w.key: w
        for site in job.sites
        for c in chunks(job.span.since, job.span.until)
        for w in walks(site, TOPIC, c)
    }
    rows = query(database_url, "SELECT listing, page FROM backfill_checkpoints")
    return {by_key[key].url(page).split("://", 1)[1] for key, page in rows if key in by_key}


def test_an_interrupted_backfill_resumes_without_refetching(
    backfill_replay, make_backfill, database_url, today
):
    _world, expected, server = backfill_replay
    job = make_backfill(list(SITES), 16)
    runner = threading.Thread(target=job.run)
    runner.start()
    wait_for(lambda: query(database_url, "SELECT count(*) FROM articles")[0][0] >= 2, 120, "stories stored")
    job.stop.set()  # what Ctrl-C or SIGTERM does in `pantau backfill`
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert "interrupted" in {state.status for state in job.states.values()}
    wanted = {s.url for site in SITES for s in expected[site] if s.local.date() >= today - timedelta(days=16)}
    first_stored = stored_urls(database_url)
    assert not wanted <= first_stored  # it really stopped early
    done_pages = _targets_of_checkpoints(database_url, job)
    assert done_pages
    logged = len(server.requests())

    states = make_backfill(list(SITES), 16).run()

    assert {state.status for state in states.values()} == {"done"}
    assert wanted <= stored_urls(database_url)
    second = server.requests()[logged:]
    assert not {r.target for r in second} & done_pages  # no checkpointed page asked again
    first_stored_paths = {url.split("://", 1)[1].split("/", 1)[1] for url in first_stored}
    again = {r.path.lstrip("/") for r in second} & first_stored_paths
    assert not again  # no stored story fetched again
    paths = article_paths(server)
    refetched = {p for p in paths if paths.count(p) > 1}
    assert not {p.lstrip("/") for p in refetched} & first_stored_paths


def test_a_killed_child_is_followed_by_a_run_that_finishes_its_chunk(
    backfill_replay, make_backfill, database_url, today
):
    _world, expected, _server = backfill_replay
    job = make_backfill(["detik"], 30, until_days=17)  # weeks the first test did not touch
    runner = threading.Thread(target=job.run)
    runner.start()

    def child_pid():
        rows = query(database_url, "SELECT pid FROM crawl_runs WHERE status = 'running' AND site = 'detik'")
        return next((pid for (pid,) in rows if pid != os.getpid()), None)  # adopted by the child

    wait_for(child_pid, 60, "the backfill child")
    os.kill(child_pid(), signal.SIGKILL)  # the child this test started (through the backfill)
    runner.join(timeout=180)

    assert not runner.is_alive()
    state = job.states["detik"]
    assert state.status == "done", state
    assert "crashed" in [
        row[0] for row in query(database_url, "SELECT status FROM crawl_runs WHERE site = 'detik'")
    ]
    wanted = {s.url for s in expected["detik"] if s.local.date() <= today - timedelta(days=17)}
    assert wanted
    assert wanted <= stored_urls(database_url)
