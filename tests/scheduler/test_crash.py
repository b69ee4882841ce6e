"""`pantau digest` killed (SIGKILL) at each step, then run again: exactly one delivery each time.

The one exception is the documented window (the server accepted, the process died before the
`sent` commit): one duplicate, with the same Message-ID. With the .eml outbox there is none.
"""

from __future__ import annotations

import signal

import pytest

from tests.support.digests import deliveries, pantau_digest, seed

pytestmark = pytest.mark.slow  # `pantau digest` subprocesses killed and rerun


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
