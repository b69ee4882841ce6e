"""The daemon end to end: `pantau run` on the embedded database, and one run over the replay world."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta

import pytest

from pantau.scheduler import daemon, jobs
from pantau.scheduler.jobs import JobContext
from tests.support.helpers import start_pantau, wait_for
from tests.support.replay.server import serve
from tests.support.replay.world import default_world, load_story_text

pytestmark = pytest.mark.slow  # real daemons

STOP_BOUND = 20.0  # seconds from SIGTERM to exit


def test_first_setup_command_runs_the_daemon_on_the_embedded_database(tmp_path):
    log = tmp_path / "daemon.log"
    with log.open("w") as err:
        # no crawl: nothing may leave loopback
        proc = start_pantau("run", home=tmp_path, cwd=tmp_path, stderr=err, PANTAU_CRAWL__SITES="[]")
    try:
        wait_for(lambda: "daemon scheduled" in log.read_text() or proc.poll() is not None, 120, "the daemon")
        assert proc.poll() is None, log.read_text()
        assert "digests are written as .eml files into" in log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=STOP_BOUND) == 0, log.read_text()  # a hang fails here, at the bound
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "daemon stopped" in log.read_text()
    assert (tmp_path / "data" / "pantau" / "pgdata").is_dir()


class OffsetClock:
    """Real time plus an offset the test moves forward (digest periods end 'tomorrow' at once)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def test_one_daemon_run_over_the_replay_world_delivers_one_digest(clean, make_settings, smtp, tmp_path):
    handler, url = smtp
    world = default_world()
    with serve(world) as server:
        settings = make_settings(
            smtp_url=url,
            subscriptions=[
                {"name": "analysts", "recipients": ["analyst@example.org"], "schedule": "daily 07:00"}
            ],
            crawl={
                "sites": ["detik"],
                "host_map": server.host_map(),
                "download_delay": 0.0,
                "jitter_seconds": 0,
                "interval_minutes": 60,
                "timeout_minutes": 2,
            },
            mail={"check_seconds": 0.5},
        )
        clock = OffsetClock()
        ctx = JobContext(settings, clean, clock=clock)

        def drive() -> None:
            with clean.connection() as conn:

                def crawled() -> bool:
                    row = conn.execute("SELECT status FROM crawl_runs WHERE site = 'detik'").fetchone()
                    return row is not None and row[0] != "running"

                wait_for(crawled, 120, "the detik crawl")
                clock.offset = timedelta(days=1, hours=1)  # the next 07:00 WIB has passed
                wait_for(lambda: handler.received, 60, "the digest")
            os.kill(os.getpid(), signal.SIGTERM)

        driver = threading.Thread(target=drive, daemon=True)
        driver.start()
        daemon.run(settings, clean, ctx)
        driver.join(timeout=5)

    assert jobs.digest_cycle(clean, settings, clock) is not None  # a later cycle sends nothing more
    [received] = handler.received
    text = received.message.get_body(("plain",)).get_content()
    on_topic_title, _ = load_story_text("detik_seed_as_khawatir")
    assert on_topic_title in text
    for stem in ("offtopic_sepak_bola", "offtopic_harga_beras", "offtopic_pameran_wisata"):
        assert load_story_text(stem)[0] not in text
    assert received.message["Subject"].startswith("pantau: 1 new story, Korea Utara–Rusia")
    with clean.connection() as conn:
        assert conn.execute("SELECT stopped_at IS NOT NULL FROM daemon_heartbeats").fetchall() == [(True,)]
