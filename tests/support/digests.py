"""Digest test pieces: a clean archive, stories and subscriptions written as rows, a settable clock."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pantau.storage.db import Database
from tests.support.helpers import run_pantau

_ids = itertools.count(1)


@pytest.fixture
def clean(db: Database) -> Database:
    """The module's database with no articles, subscriptions, digests, runs or heartbeats."""
    with db.connection() as conn:
        conn.execute(
            "TRUNCATE articles, subscriptions, digests, digest_items, deliveries, crawl_runs, "
            "daemon_heartbeats, site_health CASCADE"
        )
    return db


def add_article(
    db: Database,
    *,
    site: str = "detik",
    title: str = "Korea Utara kirim rudal ke Rusia",
    body: str = "Korea Utara mengirim rudal ke Rusia. Pasukan Rusia memakainya di Kursk. Sumber lain.",
    lead: str | None = None,
    first_seen_at: datetime,
    published_at: datetime | None = None,
    score: float = 5.0,
    on_topic: bool = True,
    terms: tuple[str, ...] = ("Korea Utara", "Rusia", "rudal"),
    cluster_id: int | None = None,
    backfilled: bool = False,
    url: str | None = None,
    topic: str = "nk-russia-arms",
) -> int:
    """Insert one stored, scored story directly (the digest reads only these columns)."""
    n = next(_ids)
    with db.connection() as conn:
        row = conn.execute(
            """INSERT INTO articles (site, site_article_id, canonical_url, url, title, lead, body,
                   published_at,
                   language, content_hash, simhash, cluster_id, backfilled, first_seen_at, last_seen_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'id', %s, %s, %s, %s, %s, %s) RETURNING id""",
            (
                site,
                f"a{n}",
                url or f"https://{site}.example/berita/{n}",
                url or f"https://{site}.example/berita/{n}",
                title,
                lead,
                body,
                published_at or first_seen_at,
                hashlib.sha256(body.encode()).hexdigest(),
                n,
                cluster_id,
                backfilled,
                first_seen_at,
                first_seen_at,
            ),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO article_topics (article_id, topic, score, on_topic, matched_terms) "
            "VALUES (%s, %s, %s, %s, %s)",
            (row[0], topic, score, on_topic, json.dumps(list(terms))),
        )
    return int(row[0])


def touch_article(db: Database, article_id: int, at: datetime, body: str) -> None:
    """The article's text changed at `at` (as the store pipeline records an edit)."""
    with db.connection() as conn:
        conn.execute(
            "UPDATE articles SET body = %s, updated_at = %s, version = version + 1 WHERE id = %s",
            (body, at, article_id),
        )


def add_subscription_row(db: Database, name: str, created_at: datetime) -> None:
    """Pretend the subscription was first synced at `created_at` (the daemon keeps that date)."""
    with db.connection() as conn:
        conn.execute(
            "INSERT INTO subscriptions (name, settings, created_at, updated_at) VALUES (%s, '{}', %s, %s)",
            (name, created_at, created_at),
        )


def deliveries(db: Database) -> list[tuple[Any, ...]]:
    """(id, digest_id, recipient, status, attempts, message_id, last_error) of every delivery."""
    with db.connection() as conn:
        return conn.execute(
            "SELECT id, digest_id, recipient, status, attempts, message_id, last_error "
            "FROM deliveries ORDER BY id"
        ).fetchall()


class Clock:
    """A settable clock for the daemon's code (passed as `clock=`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


DIGEST_CONFIG = """
[[subscriptions]]
name = "analysts"
recipients = ["analyst@example.org"]
schedule = "* * * * *"

[crawl]
sites = []
"""


def pantau_digest(tmp_path: Path, database_url: str, smtp_url: str | None, crash_at: str | None) -> int:
    """Run `pantau digest` for one every-minute subscription, crashing at `crash_at`; its exit code."""
    config = tmp_path / "pantau.toml"
    config.write_text(DIGEST_CONFIG, encoding="utf-8")
    done = run_pantau(
        "digest",
        config=config,
        database_url=database_url,
        data_dir=tmp_path / "data",
        smtp_url=smtp_url,
        PANTAU_MAIL__LEASE_MINUTES="0",
        PANTAU_TEST_CRASH_AT=crash_at,
    )
    return done.returncode


def seed(db: Database) -> None:
    """One subscription and one story inside its first period."""
    # Subscribed a few minutes ago; the one story falls into the first one-minute period.
    created = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3, seconds=30)
    add_subscription_row(db, "analysts", created)
    add_article(db, first_seen_at=created + timedelta(seconds=1))
