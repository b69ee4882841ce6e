"""Catch-up periods with a frozen clock: downtime across digest time, and DST days in Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from pantau.scheduler import jobs
from tests.support.digests import add_article, deliveries

BERLIN = ZoneInfo("Europe/Berlin")


def digests(db):
    with db.connection() as conn:
        return conn.execute("SELECT period_end, status FROM digests ORDER BY period_end").fetchall()


def test_daemon_down_across_digest_time_sends_the_missed_period_once(clean, make_settings, smtp):
    sub = {"name": "analysts", "recipients": ["a@example.org"], "schedule": "daily 07:00"}
    settings = make_settings(smtp_url=smtp[1], subscriptions=[sub], crawl={"sites": []})
    start = datetime(2024, 11, 20, 6, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    with time_machine.travel(start, tick=False) as traveller:
        jobs.digest_cycle(clean, settings)  # subscribes at 06:00 WIB; nothing due yet
        assert digests(clean) == []
        add_article(clean, first_seen_at=start + timedelta(hours=2))  # 08:00, then the daemon stops
        traveller.move_to(start + timedelta(days=1, hours=4))  # restarted at 10:00 the next day
        for _ in range(3):
            jobs.digest_cycle(clean, settings)
    ends = [end.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%d %H:%M") for end, _ in digests(clean)]
    assert ends == ["20 07:00", "21 07:00"]
    assert [status for _, status in digests(clean)] == ["empty", "sent"]
    assert len(smtp[0].received) == 1
    assert len(deliveries(clean)) == 1


def test_dst_days_give_one_digest_per_local_day(clean, make_settings, smtp):
    sub = {
        "name": "berlin",
        "recipients": ["b@example.org"],
        "schedule": "daily 02:30",
        "timezone": "Europe/Berlin",
        "send_empty": True,
    }
    settings = make_settings(smtp_url=smtp[1], subscriptions=[sub], crawl={"sites": []})
    clean_start = datetime(2024, 10, 25, 12, 0, tzinfo=BERLIN)
    with time_machine.travel(clean_start, tick=False) as traveller:
        jobs.digest_cycle(clean, settings)
        for hours in range(0, 4 * 24, 5):  # the daemon wakes every few hours over the fall-back day
            traveller.move_to(clean_start + timedelta(hours=hours))
            jobs.digest_cycle(clean, settings)
    days = [end.astimezone(BERLIN).date().isoformat() for end, _ in digests(clean)]
    assert days == ["2024-10-26", "2024-10-27", "2024-10-28", "2024-10-29"]
    assert len(smtp[0].received) == 4
    assert all(end.tzinfo is not None for end, _ in digests(clean))
    assert datetime(2024, 10, 27, 0, 30, tzinfo=UTC) in [end for end, _ in digests(clean)]  # the first 02:30
