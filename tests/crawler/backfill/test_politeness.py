"""A backfill is as polite as a crawl: it waits for the site's crawl lock, and obeys robots.txt."""

from __future__ import annotations

import threading

import psycopg
import pytest

from pantau.storage import locks
from tests.support.backfill import query, stored_urls
from tests.support.helpers import wait_for

pytestmark = pytest.mark.slow  # backfills start child crawls


def test_a_busy_crawl_lock_is_waited_for_without_a_request(backfill_replay, make_backfill, database_url):
    _world, expected, server = backfill_replay
    with psycopg.connect(database_url, autocommit=True) as holder:
        assert locks.try_lock(holder, "crawl:okezone")  # the daemon's crawl of okezone is running
        job = make_backfill(["okezone"], 10)
        runner = threading.Thread(target=job.run)
        runner.start()
        skipped = "SELECT count(*) FROM crawl_runs WHERE site = 'okezone' AND status = 'skipped'"

        def tried_twice() -> bool:
            with psycopg.connect(database_url, autocommit=True) as conn:
                row = conn.execute(skipped).fetchone()
            return row is not None and row[0] >= 2

        wait_for(tried_twice, 60, "two attempts refused by the lock")
        wait_for(lambda: job.states["okezone"].status == "locked", 30, "the backfill to show it waits")
        assert server.requests("okezone") == []  # not even robots.txt while the crawl runs
        locks.unlock(holder, "crawl:okezone")
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert job.states["okezone"].status == "done"
    wanted = {s.url for s in expected["okezone"] if job.span.since <= s.local.date() <= job.span.until}
    assert wanted
    assert wanted <= stored_urls(database_url)


def test_a_listing_robots_txt_forbids_is_never_requested_and_ends_its_walk(
    backfill_replay, make_backfill, database_url
):
    world, expected, server = backfill_replay
    world.robots_extra["search.kompas.com"] = ["Disallow: /search"]
    job = make_backfill(["kompas"], 10)
    assert job.run()["kompas"].status == "done"  # the other listings found the stories
    assert {r.path for r in server.requests("kompas") if r.host == "search.kompas.com"} == {"/robots.txt"}
    ended = query(
        database_url, "SELECT DISTINCT ended FROM backfill_checkpoints WHERE listing LIKE %s", "search:%"
    )
    assert ended == [("forbidden",)]
    wanted = {s.url for s in expected["kompas"] if job.span.since <= s.local.date() <= job.span.until}
    assert wanted <= stored_urls(database_url)
    before = len(server.requests())
    make_backfill(["kompas"], 10).run()
    assert server.requests()[before:] == []  # forbidden is an ending: not asked again
