"""Issue 15 item 9: what a dry run or a crashed sender leaves behind.

`pantau digest --dry-run` must leave no trace at all (no "queued" line, no digest id used up), and a
sender killed while writing an .eml leaves a temp file the next run removes.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime, timedelta

from pantau.scheduler import jobs, report
from tests.support.digests import Clock, add_article, add_subscription_row, pantau_digest, seed

T0 = datetime(2024, 11, 20, 0, 0, tzinfo=UTC)  # 07:00 WIB
SUB = {"name": "analysts", "recipients": ["a@example.org"], "schedule": "daily 07:00"}


def _next_digest_id(db) -> int:
    """The id the next digest gets (read without using one up)."""
    with db.connection() as conn:
        row = conn.execute("SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM digests_id_seq")
        found = row.fetchone()
    assert found is not None
    return int(found[0])


def test_a_dry_run_logs_nothing_queued_and_uses_up_no_digest_id(clean, make_settings, smtp, caplog):
    settings = make_settings(smtp_url=smtp[1], subscriptions=[SUB], crawl={"sites": []})
    add_subscription_row(clean, "analysts", T0 - timedelta(hours=1))
    add_article(clean, title="Rudal pratinjau", first_seen_at=T0 + timedelta(hours=1))
    add_article(clean, title="Rudal berikutnya", first_seen_at=T0 + timedelta(days=1, hours=1))
    first_free = _next_digest_id(clean)
    now = T0 + timedelta(days=1, hours=2)
    with caplog.at_level(logging.DEBUG):
        texts = report.preview(clean, settings, now)  # one due digest, then no more due
        texts += report.preview(clean, settings, now - timedelta(hours=1, minutes=30))
    assert "Rudal pratinjau" in texts[0]
    assert not [r for r in caplog.records if "queued" in r.getMessage() or hasattr(r, "digest_id")]
    assert _next_digest_id(clean) == first_free
    done = jobs.digest_cycle(clean, settings, Clock(now))
    assert done is not None
    assert done.built[0].id == first_free  # the dry runs used up none of the ids


def test_a_temp_file_left_by_a_sender_killed_while_writing_is_removed(clean, tmp_path, database_url):
    seed(clean)
    outbox = tmp_path / "data" / "outbox"
    assert pantau_digest(tmp_path, database_url, None, "during_send") == -signal.SIGKILL
    assert len(list(outbox.glob(".*.tmp"))) == 1  # the killed sender's half-delivered file
    assert pantau_digest(tmp_path, database_url, None, None) == 0
    assert list(outbox.glob(".*.tmp")) == []
    assert len(list(outbox.glob("*.eml"))) == 1  # delivered once, by the second run
