"""Scenarios 17-21: an edited article, the database down or lost, lock contention, language edge cases."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors

from pantau.base.errors import DatabaseUnavailable
from pantau.pipelines.language import detect_language
from pantau.pipelines.store import StorePipeline
from pantau.storage.articles import store_article
from pantau.storage.db import Timeouts, connection_kwargs
from tests.faults.conftest import rows, stored_urls
from tests.support.articles import build_article
from tests.support.fault_server import Fault, serve_faults
from tests.support.helpers import ROOT, wait_for
from tests.support.proxy import TcpProxy
from tests.support.replay import default_world, run_crawl


def _connect(database_url: str, lock: int = 1, statement: int = 30) -> psycopg.Connection:
    params = connection_kwargs("pantau-test", Timeouts(lock=lock, statement=statement))
    return psycopg.connect(database_url, autocommit=True, **params)  # type: ignore[arg-type]


def test_s17_an_edited_article_is_updated_in_place_with_its_old_text_kept(database_url, db):
    first = build_article(1701)
    edited = build_article(1701)
    edited.text = first.text + "\nPembaruan: Kementerian Luar Negeri memberikan tanggapan resmi."
    pipeline = StorePipeline(database_url, retry_delays=())
    pipeline.open_spider()
    try:
        outcomes = [pipeline._store_with_retries(item).outcome for item in (first, edited, edited)]
    finally:
        pipeline.close_spider()
    assert outcomes == ["new", "updated", "unchanged"]  # hash changed -> update; same again -> touch
    [(article_id, version, updated_at, body)] = rows(
        db, "SELECT id, version, updated_at, body FROM articles WHERE canonical_url = %s", first.canonical_url
    )
    assert (version, updated_at is not None) == (2, True)
    assert body.endswith("tanggapan resmi.")
    kept = rows(db, "SELECT version, body FROM article_versions WHERE article_id = %s", article_id)
    assert kept == [(1, first.text)]


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    with TcpProxy.for_database(database_url) as running:
        yield running


@pytest.mark.slow
def test_s18_database_down_at_start_means_no_request_to_any_site(proxy, database_url, tmp_path):
    proxy.stop()
    world = default_world()
    with serve_faults(world) as server:
        result = run_crawl("detik", server, tmp_path, database_url=proxy.url(database_url), pipelines=True)
        sent = server.requests()
    assert result.finish_reason == "db_unavailable"
    assert sent == []  # not even robots.txt
    assert '"status": "failed", "reason": "db_unavailable"' in result.log  # the verdict for the parent
    assert result.returncode == 0


@pytest.mark.slow
def test_s19_connections_killed_mid_crawl_are_replaced_and_nothing_is_lost(database_url, db, tmp_path):
    world = default_world()
    stories = world.of("kompas")
    with serve_faults(world) as server:
        for story in stories[1:]:  # slow pages: the crawl is still storing when its sessions die
            server.faults[f"{story.host}{story.path}"] = Fault("delay", seconds=0.6)
        done: dict[str, Any] = {}
        crawl = threading.Thread(
            target=lambda: done.update(
                result=run_crawl("kompas", server, tmp_path, database_url=database_url, pipelines=True)
            )
        )
        crawl.start()
        wait_for(lambda: stored_urls(db, "kompas"), 60, "the first kompas story to be stored")
        killed = rows(
            db,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name IN ('pantau-store', 'pantau-crawl')",
        )
        crawl.join(timeout=120)
    result = done["result"]
    assert len(killed) >= 2  # the store pipeline's and the archive's sessions
    assert result.finish_reason == "finished", result.log[-3000:]
    assert "InFailedSqlTransaction" not in result.log
    assert sorted(stored_urls(db, "kompas")) == sorted(s.url for s in stories)  # I1: nothing lost
    assert rows(db, "SELECT status FROM crawl_runs WHERE site = 'kompas'") == [("finished",)]


def test_s20_a_held_lock_becomes_a_named_timeout_error_not_a_hang(database_url, db):
    item = build_article(2001)
    with _connect(database_url) as holder, holder.transaction():
        holder.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        with _connect(database_url, lock=1) as conn:
            # The session's own lock_timeout ends the wait (the error below says so), not a hang.
            assert conn.execute("SHOW lock_timeout").fetchone() == ("1s",)
            with pytest.raises(
                errors.LockNotAvailable,
                match=r"^INSERT_ARTICLE \(pantau\.storage\.queries\.articles\): canceling statement due"
                r" to lock timeout",
            ):
                store_article(conn, item)
        # The crawl's pipeline retries, then gives up with the query's name and the URL kept queued.
        pipeline = StorePipeline(database_url, timeouts=Timeouts(lock=1), retry_delays=(0.1,))
        pipeline.open_spider()
        try:
            with pytest.raises(DatabaseUnavailable, match=r"stays queued for the next run: INSERT_ARTICLE"):
                pipeline._store_with_retries(item)
        finally:
            pipeline.close_spider()
    assert item.canonical_url not in stored_urls(db)


EDGE_TEXTS = [
    "",
    "   \n\t ",
    "1234567890 2024 17.08.2025 3,14",
    "Putin bertemu Kim.",  # 18 characters
    "Korea Utara mengirim rudal. North Korea sent missiles to Russia. Korea Utara dan Rusia.",
    "Пхеньян и Москва подписали договор. Korea Utara dan Rusia menandatangani perjanjian.",
    "<script>alert(1)</script>" * 3,
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_s21_language_edge_cases_never_raise_and_are_identical_over_100_runs(text):
    answers = {detect_language(text, fallback="id-ID") for _ in range(100)}
    assert len(answers) == 1
    [(language, probability)] = answers
    assert language is None or (len(language) == 2 and language.isalpha())
    assert probability is None or 0.0 <= probability <= 1.0
    if sum(ch.isalpha() for ch in text) < 50:
        assert (language, probability) == ("id", None)  # too little to judge: the page's <html lang>


def test_s21_the_same_answers_in_a_fresh_process():
    code = (
        "from pantau.pipelines.language import detect_language\n"
        f"texts = {EDGE_TEXTS!r}\n"
        "print([detect_language(t, fallback='id-ID') for t in texts])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    here = str([detect_language(t, fallback="id-ID") for t in EDGE_TEXTS])
    assert outputs == {here + "\n"}
