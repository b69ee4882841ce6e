"""Digest building on a seeded archive, and the message a real SMTP server receives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pantau.scheduler import jobs
from tests.support.digests import Clock, add_article, add_subscription_row, deliveries, touch_article

# 07:00 WIB on 21 Nov 2024 is 00:00 UTC.
T0 = datetime(2024, 11, 20, 0, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
SUB = {"name": "analysts", "recipients": ["analyst@example.org"], "schedule": "daily 07:00"}


@pytest.fixture
def settings(make_settings, smtp):
    def build(**sub):
        return make_settings(
            smtp_url=smtp[1], subscriptions=[{**SUB, **sub}], crawl={"sites": ["detik", "kompas"]}
        )

    return build


def cycle(db, settings, at):
    return jobs.digest_cycle(db, settings, Clock(at))


def test_digest_has_the_right_stories_best_first(clean, settings, smtp):
    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    first = add_article(
        clean, site="detik", title="Rudal Korut untuk Rusia", first_seen_at=T0 + timedelta(hours=3), score=4.0
    )
    add_article(
        clean,
        site="kompas",
        title="Kompas: rudal Korut",
        first_seen_at=T0 + timedelta(hours=4),
        cluster_id=first,
        score=6.0,
    )
    add_article(
        clean, site="detik", title="Pasukan Korut di Kursk", first_seen_at=T0 + timedelta(hours=5), score=9.0
    )
    add_article(clean, title="Off topic", first_seen_at=T0 + timedelta(hours=5), on_topic=False)
    add_article(clean, title="Backfilled story", first_seen_at=T0 + timedelta(hours=5), backfilled=True)
    add_article(clean, title="Low score story", first_seen_at=T0 + timedelta(hours=5), score=0.5)
    add_article(clean, title="Next period story", first_seen_at=T1 + timedelta(seconds=1))
    add_article(clean, title="Before subscribing", first_seen_at=T0 - timedelta(hours=2))

    report = cycle(clean, settings(min_score=1.0), T1 + timedelta(minutes=5))

    assert report is not None
    assert report.sent.sent == 1
    [received] = smtp[0].received
    msg = received.message
    text = msg.get_body(("plain",)).get_content()
    assert msg["Subject"] == "pantau: 2 new stories, Korea Utara–Rusia, 21 Nov"
    assert text.index("Pasukan Korut di Kursk") < text.index("Kompas: rudal Korut")  # best first
    assert "Rudal Korut untuk Rusia" not in text  # the cluster shows its best article once
    assert "(also reported by detik, 10:00)" in text  # the other outlet, with its time (WIB)
    for absent in (
        "Off topic",
        "Backfilled story",
        "Low score story",
        "Next period story",
        "Before subscribing",
    ):
        assert absent not in text
    assert "20 Nov 2024 11:00 WIB" in text  # kompas story published 04:00 UTC, shown in Jakarta time
    assert "*Korea Utara*" in text
    assert "*rudal*" in text
    html = msg.get_body(("html",)).get_content()
    assert "<mark>Korea Utara</mark>" in html


def test_backfill_included_when_asked_and_updates_marked(clean, settings, smtp):
    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    story = add_article(clean, title="Cerita awal", first_seen_at=T0 + timedelta(hours=1))
    add_article(clean, title="Dari arsip", first_seen_at=T0 + timedelta(hours=2), backfilled=True)
    chosen = settings(include_backfill=True)
    cycle(clean, chosen, T1 + timedelta(minutes=1))
    touch_article(clean, story, T1 + timedelta(hours=2), "Korea Utara mengirim lebih banyak rudal ke Rusia.")
    cycle(clean, chosen, T1 + timedelta(days=1, minutes=1))

    first, second = (r.message for r in smtp[0].received)
    assert "Dari arsip" in first.get_body(("plain",)).get_content()
    assert second["Subject"] == "pantau: 0 new stories, 1 updated, Korea Utara–Rusia, 22 Nov"
    assert "[UPDATED] Cerita awal" in second.get_body(("plain",)).get_content()
    assert "Updated:" in second.get_body(("html",)).get_content()
    assert first["Message-ID"] != second["Message-ID"]


HOSTILE = [
    "Judul <script>alert(1)</script> rudal",
    "Berita\r\nBcc: evil@example.com",
    "Breaking =?UTF-8?Q?x=0A?=Bcc: evil@example.com",
]


def test_hostile_titles_stay_in_the_body_escaped(clean, settings, smtp):
    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    for i, title in enumerate(HOSTILE):
        add_article(clean, title=title, first_seen_at=T0 + timedelta(hours=i + 1), score=9 - i)
    add_article(clean, title="Tautan jahat", url="javascript:alert(1)", first_seen_at=T0 + timedelta(hours=5))

    cycle(clean, settings(), T1)

    [received] = smtp[0].received
    msg = received.message
    assert received.recipients == ["analyst@example.org"]
    assert sorted(msg.keys()) == sorted(
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
    )
    assert b"\nBcc:" not in received.raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n")
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in html
    assert "Tautan jahat" in html  # the story is there, without its unsafe link


def test_empty_period_is_recorded_not_sent_unless_asked(clean, settings, smtp):
    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    cycle(clean, settings(), T1)
    assert smtp[0].received == []
    with clean.connection() as conn:
        assert conn.execute("SELECT status FROM digests").fetchall() == [("empty",), ("empty",)]  # T0, T1

    cycle(clean, settings(send_empty=True), T1 + timedelta(days=1))
    [received] = smtp[0].received
    assert received.message["Subject"] == "pantau: no new stories, Korea Utara–Rusia, 22 Nov"


def test_unsubscribe_header_and_footer_health(clean, make_settings, smtp):
    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    add_article(clean, first_seen_at=T0 + timedelta(hours=1))
    with clean.connection() as conn:
        for i in range(3):
            conn.execute(
                "INSERT INTO crawl_runs (site, started_at, status, reason) VALUES ('kompas', %s, 'blocked', "
                "'403 from every page')",
                (T0 + timedelta(hours=i),),
            )
    settings = make_settings(
        smtp_url=smtp[1],
        subscriptions=[SUB],
        crawl={"sites": ["kompas"]},
        mail={"unsubscribe_url": "https://example.org/unsubscribe?list=analysts"},
    )
    cycle(clean, settings, T1)
    msg = smtp[0].received[0].message
    assert msg["List-Unsubscribe"] == "<https://example.org/unsubscribe?list=analysts>"
    text = msg.get_body(("plain",)).get_content()
    assert "Kompas: its last 3 crawls failed or were blocked (latest: blocked: 403 from every page)" in text
    assert len(deliveries(clean)) == 1


def test_dry_run_prints_the_due_digest_and_records_nothing(clean, settings, smtp):
    from pantau.scheduler import report

    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    add_article(clean, title="Pratinjau rudal", first_seen_at=T0 + timedelta(hours=1))
    texts = report.preview(clean, settings(), T1 + timedelta(minutes=1))
    assert len(texts) == 1
    assert "due now (dry run" in texts[0]
    assert "Pratinjau rudal" in texts[0]
    with clean.connection() as conn:
        assert conn.execute("SELECT count(*) FROM digests").fetchone() == (0,)
    assert smtp[0].received == []
