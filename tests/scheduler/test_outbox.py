"""Delivery: transient failures retried with back-off, permanent ones failed, .eml outbox, leases, locks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from pantau.scheduler import jobs
from pantau.scheduler.mail import parse_smtp_url
from pantau.scheduler.outbox import backoff
from pantau.storage import locks
from tests.support.digests import Clock, add_article, add_subscription_row, deliveries
from tests.support.helpers import free_port
from tests.support.mail import Handler

T0 = datetime(2024, 11, 20, 0, 0, tzinfo=UTC)  # 07:00 WIB
T1 = T0 + timedelta(days=1)


def seed(db, recipients=("analyst@example.org",)):
    add_subscription_row(db, "analysts", T0 - timedelta(minutes=1))
    add_article(db, first_seen_at=T0 + timedelta(hours=2))
    return {"name": "analysts", "recipients": list(recipients), "schedule": "daily 07:00"}


def test_transient_failures_are_retried_and_delivered_once(clean, make_settings, smtp):
    handler, url = smtp
    handler.replies = ["451 4.3.0 try later", "451 4.3.0 try later"]
    settings = make_settings(smtp_url=url, subscriptions=[seed(clean)], crawl={"sites": []})
    clock = Clock(T1)

    jobs.digest_cycle(clean, settings, clock)
    assert deliveries(clean)[0][3:5] == ("pending", 1)
    jobs.digest_cycle(clean, settings, clock)  # not due yet: back-off
    assert deliveries(clean)[0][4] == 1
    clock.advance(backoff(1))
    jobs.digest_cycle(clean, settings, clock)
    clock.advance(backoff(2))
    jobs.digest_cycle(clean, settings, clock)
    clock.advance(timedelta(days=0.5))
    jobs.digest_cycle(clean, settings, clock)

    assert len(handler.received) == 1
    [(_, _, _, status, attempts, _, error)] = deliveries(clean)
    assert (status, attempts, error) == ("sent", 3, None)
    with clean.connection() as conn:
        assert conn.execute("SELECT status FROM digests WHERE status <> 'empty'").fetchall() == [("sent",)]


def test_smtp_down_then_up(clean, make_settings):
    port = free_port()
    settings = make_settings(
        smtp_url=f"smtp://127.0.0.1:{port}", subscriptions=[seed(clean)], crawl={"sites": []}
    )
    clock = Clock(T1)
    jobs.digest_cycle(clean, settings, clock)  # connection refused
    [row] = deliveries(clean)
    assert row[3] == "pending"
    assert "ConnectionRefusedError" in row[6]

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(backoff(1))
        jobs.digest_cycle(clean, settings, clock)
        jobs.digest_cycle(clean, settings, clock)
    finally:
        controller.stop()
    assert len(handler.received) == 1
    assert deliveries(clean)[0][3] == "sent"


def test_permanent_failure_is_failed_at_once_and_others_still_sent(clean, make_settings, smtp):
    handler, url = smtp
    handler.refuse = {"gone@example.org"}
    sub = seed(clean, recipients=("gone@example.org", "analyst@example.org"))
    settings = make_settings(smtp_url=url, subscriptions=[sub], crawl={"sites": []})
    report = jobs.digest_cycle(clean, settings, Clock(T1))

    assert report is not None
    assert (report.sent.sent, report.sent.failed) == (1, 1)
    statuses = {row[2]: (row[3], row[4]) for row in deliveries(clean)}
    assert statuses == {"gone@example.org": ("failed", 1), "analyst@example.org": ("sent", 1)}
    assert [r.recipients for r in handler.received] == [["analyst@example.org"]]
    with clean.connection() as conn:
        assert conn.execute("SELECT status FROM digests WHERE status <> 'empty'").fetchone() == ("failed",)


def test_attempts_are_capped(clean, make_settings, smtp):
    handler, url = smtp
    handler.replies = ["421 4.7.0 busy"] * 5
    settings = make_settings(
        smtp_url=url, subscriptions=[seed(clean)], crawl={"sites": []}, mail={"max_attempts": 2}
    )
    clock = Clock(T1)
    jobs.digest_cycle(clean, settings, clock)
    clock.advance(timedelta(hours=2))
    jobs.digest_cycle(clean, settings, clock)
    [row] = deliveries(clean)
    assert row[3:5] == ("failed", 2)
    assert "gave up after 2 attempts" in row[6]


def test_outbox_files_without_smtp(clean, make_settings):
    settings = make_settings(subscriptions=[seed(clean)], crawl={"sites": []})
    jobs.digest_cycle(clean, settings, Clock(T1))
    jobs.digest_cycle(clean, settings, Clock(T1 + timedelta(hours=1)))
    files = sorted(settings.outbox_dir.iterdir())
    assert len(files) == 1
    assert files[0].suffix == ".eml"
    assert b"Subject: pantau: 1 new story" in files[0].read_bytes()
    assert deliveries(clean)[0][3] == "sent"


def test_lease_sweep_requeues_a_dead_senders_claim(clean, make_settings, smtp):
    handler, url = smtp
    settings = make_settings(smtp_url=url, subscriptions=[seed(clean)], crawl={"sites": []})
    handler.replies = ["451 later"]
    jobs.digest_cycle(clean, settings, Clock(T1))
    with clean.connection() as conn:  # as if a sender claimed it and died
        conn.execute(
            "UPDATE deliveries SET status = 'sending', claimed_at = %s", (T1 + timedelta(minutes=5),)
        )
    jobs.digest_cycle(clean, settings, Clock(T1 + timedelta(minutes=10)))  # lease (15 min) not over
    assert deliveries(clean)[0][3] == "sending"
    assert handler.received == []
    jobs.digest_cycle(clean, settings, Clock(T1 + timedelta(minutes=21)))
    assert deliveries(clean)[0][3] == "sent"
    assert len(handler.received) == 1


def test_lock_held_elsewhere_skips_the_cycle(clean, make_settings, smtp):
    settings = make_settings(smtp_url=smtp[1], subscriptions=[seed(clean)], crawl={"sites": []})
    with clean.dedicated("other") as conn, locks.attempt(conn, jobs.DIGEST_LOCK) as taken:
        assert taken
        assert jobs.digest_cycle(clean, settings, Clock(T1)) is None
    assert deliveries(clean) == []


def test_concurrent_cycles_send_once(clean, make_settings, smtp, database_url):
    from pantau.storage.db import Database

    settings = make_settings(smtp_url=smtp[1], subscriptions=[seed(clean)], crawl={"sites": []})
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def daemon() -> None:
        try:
            with Database(database_url, app_name="pantau-test-other") as other:
                barrier.wait()
                for _ in range(3):
                    jobs.digest_cycle(other, settings, Clock(T1))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=daemon) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(smtp[0].received) == 1
    assert [row[3] for row in deliveries(clean)] == ["sent"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 587, False, None, None)),
        ("smtps://u%40x:p%3Aw@mail.example.org:2465", ("mail.example.org", 2465, True, "u@x", "p:w")),
    ],
)
def test_parse_smtp_url(url, expected):
    server = parse_smtp_url(url)
    assert (server.host, server.port, server.ssl, server.user, server.password) == expected


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 10)] == [1, 2, 4, 60]
