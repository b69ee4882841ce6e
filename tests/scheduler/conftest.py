"""Fixtures of the daemon tests: a real SMTP server on loopback, a seeded archive, a clean outbox."""

from __future__ import annotations

import email
import email.policy
import hashlib
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from pantau.storage.db import Database

_ids = itertools.count(1)


@dataclass
class Received:
    """One message the SMTP server accepted."""

    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Handler:
    """Records accepted messages; answers with the queued codes first (e.g. 451, 550)."""

    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, str]]:
    """A real SMTP server on 127.0.0.1: (its handler, its smtp:// URL)."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, f"smtp://127.0.0.1:{port}"
    controller.stop()


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
