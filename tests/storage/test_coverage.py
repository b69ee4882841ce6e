"""The coverage counts of 0040, kept by triggers as stories are stored, rescored, moved and deleted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.base.models import TopicScore
from pantau.storage.articles import store_article
from pantau.storage.coverage import Count, coverage, term_counts
from tests.support.articles import build_article

TOPIC = "nk-russia-arms"
JAKARTA = ZoneInfo("Asia/Jakarta")
SINCE, UNTIL = datetime(2023, 9, 1, tzinfo=UTC), datetime(2023, 10, 1, tzinfo=UTC)


def _days(conn, zone=JAKARTA, bucket="day"):
    return coverage(conn, TOPIC, since=SINCE, until=UNTIL, zone=zone, bucket=bucket)


def _counted(conn) -> list[tuple[str, date, str, int]]:
    """What the summary tables hold, against what counting the archive itself gives."""
    rows = conn.execute(
        """SELECT t.topic, (a.published_at AT TIME ZONE 'Asia/Jakarta')::date, a.site, count(*)
           FROM article_topics t JOIN articles a ON a.id = t.article_id
           WHERE t.on_topic AND a.published_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
    ).fetchall()
    summed = conn.execute(
        """SELECT topic, (hour AT TIME ZONE 'Asia/Jakarta')::date, site, sum(stories)::bigint
           FROM topic_coverage GROUP BY 1, 2, 3 HAVING sum(stories) <> 0 ORDER BY 1, 2, 3"""
    ).fetchall()
    assert summed == rows
    return rows


def test_stored_stories_are_counted_per_local_day_and_site(conn):
    late = datetime(2023, 9, 13, 18, 30, tzinfo=UTC)  # 01:30 on the 14th in Jakarta
    store_article(conn, build_article(1))
    store_article(conn, build_article(2, published_at=late))
    store_article(conn, build_article(3, site="detik", published_at=late))
    off = {TOPIC: TopicScore(0.1, False, [])}
    store_article(conn, build_article(4, topics=off))
    store_article(conn, build_article(5, published_at=None))  # no day: not counted
    assert _days(conn) == [
        Count(date(2023, 9, 13), "okezone", 1),
        Count(date(2023, 9, 14), "detik", 1),
        Count(date(2023, 9, 14), "okezone", 1),
    ]
    # The same hours, summed in UTC's days: the late stories fall on the 13th there.
    assert _days(conn, zone=ZoneInfo("UTC")) == [
        Count(date(2023, 9, 13), "detik", 1),
        Count(date(2023, 9, 13), "okezone", 2),
    ]
    assert _days(conn, bucket="month") == [
        Count(date(2023, 9, 1), "detik", 1),
        Count(date(2023, 9, 1), "okezone", 2),
    ]
    terms = term_counts(conn, TOPIC, since=date(2023, 9, 1), until=date(2023, 9, 30), bucket="month")
    assert sorted(terms, key=lambda c: c.key) == [
        Count(date(2023, 9, 1), "Kim Jong Un", 3),
        Count(date(2023, 9, 1), "amunisi", 3),
    ]
    _counted(conn)


def test_rescoring_moving_and_deleting_keep_the_counts_true(conn):
    stored = store_article(conn, build_article(10, site="kompas"))
    article_id = stored.article_id
    conn.execute(
        "UPDATE article_topics SET on_topic = false WHERE article_id = %s AND topic = %s", (article_id, TOPIC)
    )
    assert Count(date(2023, 9, 13), "kompas", 1) not in _days(conn)
    conn.execute("UPDATE article_topics SET on_topic = true WHERE article_id = %s", (article_id,))
    moved = datetime(2023, 9, 20, 3, 0, tzinfo=UTC)
    conn.execute("UPDATE articles SET published_at = %s WHERE id = %s", (moved, article_id))
    assert Count(date(2023, 9, 20), "kompas", 1) in _days(conn)
    assert all(c.key != "kompas" or c.bucket == date(2023, 9, 20) for c in _days(conn))
    _counted(conn)
    conn.execute("DELETE FROM articles WHERE id = %s", (article_id,))
    assert all(c.key != "kompas" for c in _days(conn))
    _counted(conn)
    week = term_counts(conn, TOPIC, since=moved.date() - timedelta(days=7), until=moved.date(), bucket="week")
    assert all(c.stories > 0 for c in week)
