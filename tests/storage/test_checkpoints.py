"""Checkpoints are written only for settled pages; a backfill's failures are retried by backfills only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pantau.base.models import Article, TopicScore
from pantau.storage import backfill as store
from pantau.storage import crawls
from pantau.storage.articles import store_article


def _article(article_id: str) -> Article:
    return Article(
        site="detik",
        url=f"https://news.detik.com/internasional/d-{article_id}/judul?single=1",
        canonical_url=f"https://news.detik.com/internasional/d-{article_id}/judul",
        site_article_id=article_id,
        html="<html></html>",
        fetched_at=datetime.now(UTC),
        title=f"Korut kirim peluru ke Rusia {article_id}",
        text=f"Korea Utara mengirim peluru artileri ke Rusia. Laporan {article_id}.",
        backfilled=True,
        topics={"nk-russia-arms": TopicScore(5.0, True, ["Korea Utara", "Rusia"])},
    )


def _discovered(conn, article_id: str, run_id: int) -> str:
    url = _article(article_id).canonical_url
    crawls.record_discovered(
        conn,
        [
            {
                "canonical_url": url,
                "site": "detik",
                "site_article_id": article_id,
                "source": "indeks",
                "listed_title": None,
                "run_id": run_id,
            }
        ],
    )
    return url


def test_a_page_is_checkpointed_only_once_each_article_is_stored_or_failed(db):
    with db.connection() as conn:
        run = crawls.start_run(conn, "detik", "backfill")
        _discovered(conn, "7000001", run)
        failing = _discovered(conn, "7000002", run)
        ids = ["7000001", "7000002"]
        key = "indeks-internasional:2024-06-19"
        assert not store.save_checkpoint(conn, "detik", key, 1, ids=ids, oldest=date(2024, 6, 19))
        store_article(conn, _article("7000001"))
        assert not store.save_checkpoint(conn, "detik", key, 1, ids=ids)  # one is still neither
        crawls.mark_failed(conn, failing, "HTTP 500", site="detik", run_id=run)
        assert store.save_checkpoint(conn, "detik", key, 1, ids=ids, oldest=date(2024, 6, 19), ended="empty")
        assert store.save_checkpoint(conn, "detik", key, 2, ids=[])  # nothing listed: nothing to wait for
        [first, second] = store.checkpoints(conn, "detik", [key])
        assert (first.page, first.found, first.oldest, first.ended) == (1, 2, date(2024, 6, 19), "empty")
        assert (second.page, second.found) == (2, 0)
        with pytest.raises(ValueError, match="no walk ending"):
            store.save_checkpoint(conn, "detik", key, 3, ids=[], ended="tired")


def test_failures_of_a_backfill_are_retried_by_backfills_not_by_crawls(db):
    with db.connection() as conn:
        backfill_run = crawls.start_run(conn, "detik", "backfill")
        crawl_run = crawls.start_run(conn, "detik", "crawl")
        old = _discovered(conn, "7000011", backfill_run)
        fresh = _discovered(conn, "7000012", crawl_run)
        for url, run in ((old, backfill_run), (fresh, crawl_run)):
            crawls.mark_failed(conn, url, "timeout", site="detik", run_id=run)
        conn.execute("UPDATE discovered_urls SET next_attempt_at = now() - interval '1 minute'")
        by_crawl = {row[0] for row in crawls.retry_due(conn, "detik", run_id=None, kind="crawl")}
        by_backfill = {row[0] for row in crawls.retry_due(conn, "detik", run_id=None, kind="backfill")}
    assert fresh in by_crawl
    assert old not in by_crawl  # an old story must not reach the daemon's crawl (and a digest) as new
    assert by_backfill & {old, fresh} == {old}


def test_progress_counts_what_backfill_runs_did(db):
    started = datetime(2000, 1, 1, tzinfo=UTC)
    with db.connection() as conn:
        progress = store.progress(conn, "detik", started, "nk-russia-arms")
    assert progress.stored == 1  # 7000001, stored backfilled and on topic
    assert progress.on_topic == 1
    assert progress.found >= 3  # the URLs the backfill runs found first
    assert progress.pages == 2
