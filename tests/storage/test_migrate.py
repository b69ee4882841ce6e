"""Migrations: applied once, in one transaction each, serialised by an advisory lock."""

from __future__ import annotations

import threading

import psycopg
import pytest

from pantau.base.errors import MigrationError
from pantau.storage import locks
from pantau.storage.db import Database
from pantau.storage.migrate import MIGRATE_LOCK, Migration, available, migrate, status
from tests.support.database import create_database


def test_fresh_database_gets_every_migration(db):
    states = status(db)
    assert [s.version for s in states] == [m.version for m in available()]
    assert all(s.applied_at is not None for s in states)


def test_migrate_twice_does_nothing(db):
    assert migrate(db) == []


def test_schema_has_the_archive_tables(db):
    with db.connection() as conn:
        names = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {
        "articles",
        "article_topics",
        "article_versions",
        "crawl_runs",
        "discovered_urls",
        "subscriptions",
        "digests",
        "digest_items",
        "deliveries",
        "schema_migrations",
    } <= names


def test_indonesian_search_column_stems(db):
    with db.connection() as conn, conn.transaction(force_rollback=True):
        conn.execute(
            "INSERT INTO articles (site, site_article_id, canonical_url, url, title, body,"
            " content_hash, simhash) VALUES ('detik', '1', 'https://x/1', 'https://x/1', 'Judul',"
            " 'Rusia membeli persenjataan', 'h', 0)"
        )
        row = conn.execute(
            "SELECT count(*) FROM article_search WHERE search @@ plainto_tsquery('indonesian', 'senjata')"
        ).fetchone()
    assert row == (1,)


def test_two_processes_never_migrate_at_once(pg_admin_url):
    url = create_database(pg_admin_url, "t_migrate_lock")
    with Database(url) as first, Database(url) as second, first.dedicated() as holder:
        with locks.held(holder, MIGRATE_LOCK):
            finished = threading.Event()
            worker = threading.Thread(target=lambda: (migrate(second), finished.set()))
            worker.start()
            # While the lock is held the other migrator must wait, whatever the scheduling.
            assert not finished.wait(timeout=1.0)
        worker.join(timeout=30)
        assert finished.is_set()
        assert migrate(first) == []


def test_failed_migration_rolls_back(pg_admin_url, monkeypatch):
    url = create_database(pg_admin_url, "t_migrate_fail")
    broken = [*available(), Migration(9999, "broken", "CREATE TABLE half_done (x int); SELECT nonsense;")]
    monkeypatch.setattr("pantau.storage.migrate.available", lambda: broken)
    with Database(url) as database:
        with pytest.raises(MigrationError, match="9999_broken failed and was rolled back"):
            migrate(database)
        with database.connection() as conn:
            assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)
            versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert 9999 not in versions
    assert versions == [m.version for m in available() if m.version != 9999]


def test_statement_timeout_applies(db):
    with db.connection() as conn:
        conn.execute("SET statement_timeout = '100ms'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(2)")
        conn.execute("RESET statement_timeout")
