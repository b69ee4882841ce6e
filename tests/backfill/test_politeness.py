"""A backfill never runs beside its site's crawl: it waits for the crawl lock and then goes on."""

from __future__ import annotations

import threading

import psycopg

from storage import locks
from tests.backfill.conftest import stored_urls, wait_for


def test_a_busy_crawl_lock_is_waited_for_without_a_request(replay, make_backfill, database_url):
    _world, expected, server = replay
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
