"""`pantau digest` killed (SIGKILL) at each step, then run again: exactly one delivery each time.

The one exception is the documented window (the server accepted, the process died before the
`sent` commit): one duplicate, with the same Message-ID. With the .eml outbox there is none.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.scheduler.conftest import add_article, add_subscription_row, deliveries

CONFIG = """
[[subscriptions]]
name = "analysts"
recipients = ["analyst@example.org"]
schedule = "* * * * *"

[crawl]
sites = []
"""


def pantau_digest(tmp_path: Path, database_url: str, smtp_url: str | None, crash_at: str | None) -> int:
    config = tmp_path / "pantau.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env.update(
        PANTAU_CONFIG=str(config),
        PANTAU_DATABASE_URL=database_url,
        PANTAU_DATA_DIR=str(tmp_path / "data"),
        PANTAU_MAIL__LEASE_MINUTES="0",
    )
    if smtp_url:
        env["PANTAU_SMTP_URL"] = smtp_url
    if crash_at:
        env["PANTAU_TEST_CRASH_AT"] = crash_at
    proc = subprocess.run(
        [sys.executable, "-m", "pantau", "digest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode


def seed(db) -> None:
    # Subscribed a few minutes ago; the one story falls into the first one-minute period.
    created = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3, seconds=30)
    add_subscription_row(db, "analysts", created)
    add_article(db, first_seen_at=created + timedelta(seconds=1))


@pytest.mark.parametrize("point", ["before_build", "after_build", "during_send"])
def test_crash_then_restart_delivers_once(point, clean, smtp, tmp_path, database_url):
    handler, url = smtp
    seed(clean)
    assert pantau_digest(tmp_path, database_url, url, point) == -signal.SIGKILL
    assert handler.received == []
    assert pantau_digest(tmp_path, database_url, url, None) == 0
    assert len(handler.received) == 1
    assert [row[3] for row in deliveries(clean)] == ["sent"]
    assert pantau_digest(tmp_path, database_url, url, None) == 0  # and nothing more later
    assert len(handler.received) == 1


def test_crash_after_accept_duplicates_once_with_same_message_id(clean, smtp, tmp_path, database_url):
    handler, url = smtp
    seed(clean)
    assert pantau_digest(tmp_path, database_url, url, "after_send") == -signal.SIGKILL
    assert len(handler.received) == 1
    assert [row[3] for row in deliveries(clean)] == ["sending"]
    assert pantau_digest(tmp_path, database_url, url, None) == 0
    assert pantau_digest(tmp_path, database_url, url, None) == 0
    first, second = (r.message for r in handler.received)
    assert first["Message-ID"] == second["Message-ID"] == deliveries(clean)[0][5]
    assert first.as_bytes() == second.as_bytes()  # the same message, recognisably
    assert [row[3] for row in deliveries(clean)] == ["sent"]


@pytest.mark.parametrize("point", ["during_send", "after_send"])
def test_outbox_files_have_no_crash_window(point, clean, tmp_path, database_url):
    seed(clean)
    assert pantau_digest(tmp_path, database_url, None, point) == -signal.SIGKILL
    assert pantau_digest(tmp_path, database_url, None, None) == 0
    outbox = tmp_path / "data" / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 1
    assert [row[3] for row in deliveries(clean)] == ["sent"]
