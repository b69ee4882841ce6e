"""RunRecorder's verdicts: statuses from finish reasons and counts, and failed items recorded for retry."""

from __future__ import annotations

from typing import Any

import pytest

from pantau.base.settings import Settings
from pantau.crawler.extensions import counts_from_stats, status_for
from pantau.crawler.runner import run_crawl
from pantau.storage import crawls
from pantau.storage.db import Database
from tests.support.helpers import ROOT
from tests.support.loopback import LoopbackServer

LISTINGS_BLOCKED = "2 listing(s) answered with block pages"


def _counts(**values: int) -> dict[str, int]:
    return counts_from_stats({f"pantau/{k}": v for k, v in values.items()})


@pytest.mark.parametrize(
    ("reason", "counts", "expected"),
    [
        ("finished", _counts(fetched=3, stored=3), ("finished", None)),
        ("finished", _counts(blocked=2, blocked_listings=2), ("blocked", LISTINGS_BLOCKED)),
        # Listings answered: block pages for articles are counted, the run finished (issue 13.2).
        ("finished", _counts(blocked=2, listings_answered=3), ("finished", None)),
        ("finished", _counts(blocked=2, blocked_listings=1, listings_answered=1), ("finished", None)),
        ("closespider_timeout", _counts(), ("timeout", "closespider_timeout")),
        ("shutdown", _counts(fetched=1), ("interrupted", "shutdown")),
        ("db_unavailable", _counts(), ("failed", "db_unavailable")),
        ("closespider_errorcount", _counts(errors=25), ("failed", "closespider_errorcount")),
        ("robots_unreachable", _counts(), ("failed", "robots_unreachable")),
        ("memusage_exceeded", _counts(), ("failed", "memusage_exceeded")),
        ("locked", _counts(), ("skipped", "locked")),
        ("closespider_pagecount", _counts(fetched=400), ("finished", None)),
    ],
)
def test_status_for(reason: str, counts: dict[str, int], expected: tuple[str, str | None]) -> None:
    assert status_for(reason, counts) == expected


def test_counts_from_stats_keeps_pantau_counts_requests_and_statuses() -> None:
    counts = counts_from_stats(
        {
            "pantau/discovered": 40,
            "pantau/known": 35,
            "pantau/stored": 5,
            "downloader/request_count": 48,
            "downloader/response_status_count/200": 46,
            "downloader/response_status_count/304": 2,
            "retry/max_reached": 1,
            "finish_reason": "finished",
        }
    )
    assert (counts["discovered"], counts["known"], counts["stored"], counts["fetched"]) == (40, 35, 5, 0)
    assert (counts["requests"], counts["status_200"], counts["status_304"]) == (48, 46, 2)
    assert counts["retries_exhausted"] == 1
    assert all(isinstance(v, int) for v in counts.values())


@pytest.mark.slow
def test_dropped_and_failing_items_are_recorded_for_retry(
    make_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    db: Database,
    loopback: LoopbackServer,
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    settings: Settings = make_settings(crawl={"download_delay": 0})
    extra = {"SPIDER_MODULES": "tests.support.runner_spiders", "LOOPBACK_URL": loopback.url}
    outcome = run_crawl(settings, "faulty", database_url=database_url, extra_settings=extra)
    assert outcome.status == "finished"
    assert (outcome.counts["item_error"], outcome.counts["errors"], outcome.counts["items_dropped"]) == (
        1,
        1,
        1,
    )
    with db.connection() as conn:
        dropped = crawls.get_discovered(conn, loopback.url + "/dropped")
        raised = crawls.get_discovered(conn, loopback.url + "/raises")
        fine = crawls.get_discovered(conn, loopback.url + "/fine")
        run = crawls.get_run(conn, outcome.run_id)
    assert dropped is not None
    assert raised is not None
    assert (dropped.status, dropped.attempts, dropped.last_error) == (
        "failed",
        1,
        "dropped: no text extracted",
    )
    assert (raised.status, raised.attempts, raised.last_error) == ("failed", 1, "error: pipeline bug")
    assert dropped.next_attempt_at is not None
    assert fine is None  # nothing failed: nothing to retry
    assert run is not None
    assert {e["url"] for e in run.errors} == {loopback.url + "/dropped", loopback.url + "/raises"}
