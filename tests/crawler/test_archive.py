"""CrawlArchive on a real PostgreSQL: discovered URLs, failures with back-off, retries, runs, validators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from pantau.crawler.archive import CrawlArchive, Discovered
from pantau.storage import crawls, locks
from pantau.storage.db import Database
from tests.support.helpers import wait_for

SITE = "detik"


def _url(n: int) -> str:
    return f"https://news.detik.com/berita/d-{n}/judul-{n}"


def _found(n: int, title: str | None = None) -> Discovered:
    return Discovered(_url(n), SITE, str(n), "https://news.detik.com/sitemap.xml", title)


def _store_article(db: Database, n: int) -> None:
    """Insert a minimal article row, as the store pipeline would."""
    with db.connection() as conn:
        conn.execute(
            "INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, content_hash,"
            " simhash) VALUES (%s, %s, %s, %s, 'judul', 'isi', %s, 0)",
            (SITE, str(n), _url(n), _url(n), f"hash-{n}"),
        )


def _shift(db: Database, url: str, **columns: timedelta) -> None:
    """Move timestamps of a discovered URL into the past (as if time had passed)."""
    with db.connection() as conn:
        for column, delta in columns.items():
            conn.execute(
                f"UPDATE discovered_urls SET {column} = {column} - %s WHERE canonical_url = %s", (delta, url)
            )


@pytest.fixture
def archive(database_url: str) -> Iterator[CrawlArchive]:
    with CrawlArchive(database_url) as opened:
        yield opened


def test_run_lifecycle_first_verdict_wins(archive: CrawlArchive, db: Database) -> None:
    run_id = archive.start_run(SITE, "crawl")
    with db.connection() as conn:
        run = crawls.get_run(conn, run_id)
    assert run is not None
    assert (run.status, run.site, run.kind, run.finished_at) == ("running", SITE, "crawl", None)

    assert archive.finish_run(run_id, "finished", None, {"stored": 3}, [{"url": "u", "error": "e"}])
    # A later verdict (e.g. the parent's fallback) never overwrites the child's.
    assert not archive.finish_run(run_id, "crashed", "exit status 1", {}, [])
    with db.connection() as conn:
        run = crawls.get_run(conn, run_id)
    assert run is not None
    assert (run.status, run.reason, run.counts, run.errors) == (
        "finished",
        None,
        {"stored": 3},
        [{"url": "u", "error": "e"}],
    )
    assert run.finished_at is not None


def test_finish_run_rejects_a_non_terminal_status(archive: CrawlArchive) -> None:
    run_id = archive.start_run(SITE)
    with pytest.raises(ValueError, match="not a terminal crawl status"):
        archive.finish_run(run_id, "done", None, {}, [])


def test_adopt_run_takes_only_running_rows(archive: CrawlArchive) -> None:
    run_id = archive.start_run(SITE)
    assert archive.adopt_run(SITE, run_id)
    archive.finish_run(run_id, "finished", None, {}, [])
    assert not archive.adopt_run(SITE, run_id)
    assert not archive.adopt_run(SITE, 987654)


def test_record_discovered_keeps_first_sighting_and_status(archive: CrawlArchive, db: Database) -> None:
    run_id = archive.start_run(SITE)
    archive.record_discovered([_found(1), _found(2, "Judul dua")])
    _store_article(db, 1)
    archive.mark_stored([_url(1), _url(2)])  # 2 is not in the archive: stays new
    later = archive.start_run(SITE)
    archive.record_discovered([_found(1, "Judul satu"), _found(2)])
    with db.connection() as conn:
        one = crawls.get_discovered(conn, _url(1))
        two = crawls.get_discovered(conn, _url(2))
    assert one is not None
    assert two is not None
    assert (one.status, one.first_run_id, one.listed_title) == ("stored", run_id, "Judul satu")
    assert (two.status, two.first_run_id, two.listed_title) == ("new", run_id, "Judul dua")
    assert one.last_seen_at > one.first_seen_at
    assert later != run_id


def test_known_is_the_set_of_stored_articles(archive: CrawlArchive, db: Database) -> None:
    _store_article(db, 10)
    assert archive.known([_url(10), _url(11)]) == {_url(10)}
    assert archive.known([]) == set()


def test_mark_failed_backs_off_exponentially_and_gives_up(archive: CrawlArchive, db: Database) -> None:
    archive.start_run(SITE)
    archive.record_discovered([_found(20)])
    delays = []
    for attempt in range(1, crawls.MAX_ATTEMPTS + 1):
        archive.mark_failed(_url(20), f"HTTP 500 #{attempt}")
        with db.connection() as conn:
            row = crawls.get_discovered(conn, _url(20))
            now = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == ("failed", attempt, f"HTTP 500 #{attempt}")
        delays.append(None if row.next_attempt_at is None else row.next_attempt_at - now)
    expected = [crawls.RETRY_BASE, 2 * crawls.RETRY_BASE, 4 * crawls.RETRY_BASE]
    for delay, want in [*zip(delays, expected, strict=False), (delays[-2], crawls.RETRY_CAP)]:
        assert delay is not None
        assert abs(delay - want) < timedelta(seconds=5)  # measured a moment after the update
    assert delays[-1] is None  # given up: stays failed, for the audit


def test_mark_failed_never_downgrades_a_stored_url(archive: CrawlArchive, db: Database) -> None:
    archive.record_discovered([_found(30)])
    _store_article(db, 30)
    archive.mark_stored([_url(30)])
    archive.mark_failed(_url(30), "dropped: duplicate")
    with db.connection() as conn:
        row = crawls.get_discovered(conn, _url(30))
    assert row is not None
    assert (row.status, row.attempts) == ("stored", 0)


def test_mark_failed_records_an_unknown_url(archive: CrawlArchive, db: Database) -> None:
    archive.start_run(SITE)
    archive.mark_failed(_url(31), "error: boom")
    with db.connection() as conn:
        row = crawls.get_discovered(conn, _url(31))
    assert row is not None
    assert (row.status, row.attempts, row.site, row.last_error) == ("failed", 1, SITE, "error: boom")
    assert archive.failures[-1] == {"url": _url(31), "error": "error: boom"}
    archive.record_discovered([_found(31)])  # found on a listing later: its id and source fill in
    with db.connection() as conn:
        row = crawls.get_discovered(conn, _url(31))
    assert row is not None
    assert (row.status, row.site_article_id, row.source) == ("failed", "31", _found(31).source)


def test_retry_due_returns_due_failures_and_unstored_urls_of_earlier_runs(
    database_url: str, db: Database
) -> None:
    with db.connection() as conn:
        conn.execute("DELETE FROM discovered_urls")
    with CrawlArchive(database_url) as earlier:
        earlier.start_run(SITE)
        earlier.record_discovered([_found(n) for n in range(40, 46)])
        earlier.mark_failed(_url(40), "timeout")  # due only after its back-off
        earlier.mark_failed(_url(41), "timeout")
        _shift(db, _url(41), next_attempt_at=timedelta(hours=1))  # back-off passed
        _store_article(db, 42)  # stored since: never retried
        earlier.mark_stored([_url(42)])
        _store_article(db, 43)  # in the archive, though its status says new
    with CrawlArchive(database_url) as current:
        current.start_run(SITE)
        current.record_discovered([_found(46)])  # this run's own discovery: not a retry
        due = current.retry_due(SITE)
        assert [d.canonical_url for d in due][:1] == [_url(41)]
        assert {d.canonical_url for d in due} == {_url(41), _url(44), _url(45)}
        assert due[0] == _found(41)
        assert current.retry_due("kompas") == []
        assert len(current.retry_due(SITE, limit=2)) == 2


def test_validators_round_trip(archive: CrawlArchive) -> None:
    url = "https://www.okezone.com/sitemap.xml"
    assert archive.validators(url) == (None, None)
    archive.save_validators(url, '"abc"', "Wed, 19 Jun 2024 03:00:00 GMT")
    archive.save_validators(url, '"def"', None)
    assert archive.validators(url) == ('"def"', None)


def test_try_lock_excludes_a_second_process(database_url: str) -> None:
    with CrawlArchive(database_url) as first, CrawlArchive(database_url) as second:
        assert first.try_lock("bisnis")
        assert not second.try_lock("bisnis")
        assert second.try_lock("kompas")
        first.close()  # the session ends (the server notices a moment later): the lock goes with it
        wait_for(lambda: second.try_lock("bisnis"), 10, "the lock to be free")


def test_a_broken_connection_is_reopened_and_the_lock_retaken(database_url: str, db: Database) -> None:
    with CrawlArchive(database_url) as archive:
        assert archive.try_lock("okezone")
        pid = archive.connection.info.backend_pid
        with db.connection() as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # The next call finds the connection dead, reconnects once and succeeds.
        assert archive.known([_url(99)]) == set()
        assert archive.connection.info.backend_pid != pid
        with psycopg.connect(database_url, autocommit=True) as other:
            assert not locks.try_lock(other, "crawl:okezone")


def test_mark_abandoned_spares_a_live_crawl(database_url: str, db: Database) -> None:
    from pantau.crawler.runner import mark_abandoned

    with CrawlArchive(database_url) as gone, CrawlArchive(database_url) as live:
        gone_id = gone.start_run("okezone")
        live_id = live.start_run("kompas")
        assert live.try_lock("kompas")  # a crawl in progress holds its site's lock
        fresh_id = gone.start_run("bisnis")
        with db.connection() as conn:
            conn.execute(
                "UPDATE crawl_runs SET started_at = %s WHERE id = ANY(%s)",
                (datetime.now(UTC) - timedelta(hours=2), [gone_id, live_id]),
            )
        assert mark_abandoned(db, timedelta(hours=1)) == 1
        with db.connection() as conn:
            statuses = {r: crawls.get_run(conn, r).status for r in (gone_id, live_id, fresh_id)}  # type: ignore[union-attr]
    assert statuses == {gone_id: "abandoned", live_id: "running", fresh_id: "running"}
