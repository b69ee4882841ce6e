"""Scenarios 10, 14 and 15: robots.txt variants, and a site whose layout changes (wholly or in part).

Real crawls of the replay world with pantau's pipelines and a real archive; the health checks of
scheduler/health.py read the runs they record.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest

from pantau.base.settings import load_settings
from pantau.scheduler import health
from pantau.storage.db import Database
from tests.faults.conftest import fault_story, key, last_run, rows, stored_urls
from tests.support.fault_server import Fault, FaultServer, serve_faults
from tests.support.replay import CrawlResult, default_world, run_crawl
from tests.support.replay.render import render_article
from tests.support.replay.world import World

SETTINGS = {"DOWNLOAD_TIMEOUT": "1"}
DELAY = 0.2  # crawl.download_delay of the Okezone crawls (the site data's delay_factor applies)
REDESIGNED = b"<html><body><main class='grid-2027'><section>Berita terbaru</section></main></body></html>"
OKEZONE_LISTINGS = (
    "www.okezone.com/sitemap.xml",
    "news.okezone.com/sitemap.xml",
    "news.okezone.com/indeks",
    "www.okezone.com/tag/korea-utara",
    "www.okezone.com/rss",
)


@dataclass
class Runs:
    """The crawls of the module's world, by name, with the server's request log after each."""

    world: World
    results: dict[str, CrawlResult]
    logs: dict[str, list[Any]]
    flags: dict[str, list[str]]
    changed: list[str]
    banned: str


def _crawl(server: FaultServer, tmp: Any, database_url: str, site: str, **crawl: Any) -> CrawlResult:
    return run_crawl(
        site, server, tmp, database_url=database_url, pipelines=True, settings=SETTINGS, timeout=180, **crawl
    )


def _flags(database_url: str, site: str) -> list[str]:
    settings = load_settings(None, database_url=database_url)
    with Database(database_url, app_name="pantau-test-health") as db, db.connection() as conn:
        now = datetime.now(UTC)
        found = health.assess(conn, settings, site, now)
        health.record(conn, found, now)
        return found.flags


def _okezone_sequence(server: FaultServer, world: World, tmp: Any, database_url: str, runs: Runs) -> None:
    """Redesigned listings (no link at all), then a good run, then articles without the body container."""
    banned = world.of("okezone")[-1]
    world.robots_extra["news.okezone.com"] = [f"Disallow: {banned.path}"]
    runs.banned = banned.path
    for listing in OKEZONE_LISTINGS:
        server.faults[listing] = Fault("body", body=REDESIGNED, headers={"Content-Type": "text/html"})
    runs.results["redesigned"] = _crawl(server, tmp, database_url, "okezone", download_delay=DELAY)
    runs.flags["redesigned"] = _flags(database_url, "okezone")
    for listing in OKEZONE_LISTINGS:  # only these: the other sites' faults stay
        del server.faults[listing]
    before = len(server.requests())  # the other sites crawl meanwhile: keep their log
    runs.results["good"] = _crawl(server, tmp, database_url, "okezone", download_delay=DELAY)
    runs.logs["good"] = [r for r in server.requests()[before:] if r.host.endswith("okezone.com")]
    runs.flags["good"] = _flags(database_url, "okezone")
    for n in range(3):  # new stories in a template whose body container has another name
        story = fault_story(world, 60 + n, "offtopic_harga_beras")
        page = render_article(story, None).body.replace(b'class="c-detail read"', b'class="story-2027"')
        server.faults[key(story)] = Fault("body", body=page, headers={"Content-Type": "text/html"})
        runs.changed.append(story.url)
    runs.results["partial"] = _crawl(server, tmp, database_url, "okezone", download_delay=DELAY)
    runs.flags["partial"] = _flags(database_url, "okezone")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Runs:
    world = default_world()
    world.robots_status["news.detik.com"] = 404
    world.robots_status["www.detik.com"] = 404
    world.robots_status["www.bisnis.com"] = 503
    found = Runs(world, {}, {}, {}, [], "")
    with serve_faults(world) as server:
        server.faults["www.kompas.com/robots.txt"] = Fault("hang")
        tmp = tmp_path_factory.mktemp("site-changes")
        with ThreadPoolExecutor(max_workers=2) as pool:
            others = {
                site: pool.submit(_crawl, server, tmp / site, database_url, site)
                for site in ("detik", "bisnis", "kompas")
            }
            _okezone_sequence(server, world, tmp / "okezone", database_url, found)
            for site, future in others.items():
                found.results[site] = future.result()
        found.logs["all"] = server.requests()
    return found


@pytest.mark.slow
def test_s10_robots_404_means_crawl_and_5xx_or_timeout_skip_the_run(runs, db):
    assert last_run(db, "detik")[:2] == ("finished", None)  # 404: no robots.txt, everything allowed
    assert set(stored_urls(db, "detik")) == {s.url for s in runs.world.of("detik")}
    for site, host in (("bisnis", "www.bisnis.com"), ("kompas", "www.kompas.com")):
        assert last_run(db, site)[:2] == ("failed", "robots_unreachable")  # I3: terminal, with a reason
        assert stored_urls(db, site) == []
        site_requests = [r for r in runs.logs["all"] if r.host.endswith(f"{site}.com")]
        assert {r.path for r in site_requests if r.host == host} == {"/robots.txt"}
        assert not [r for r in site_requests if "/read/" in r.path]
    kompas = runs.results["kompas"]
    assert "robots.txt of www.kompas.com unreachable (DownloadTimeoutError" in kompas.log
    assert float(kompas.stats["elapsed_time_seconds"]) < 20  # the hang cost its timeouts, no more


@pytest.mark.slow
def test_s10_disallowed_paths_are_never_requested_and_the_site_delay_holds(runs):
    log = runs.logs["good"]
    assert runs.banned not in [r.path for r in log]
    assert runs.results["good"].stat("robotstxt/forbidden") == 1
    story_hits = sorted(r.at for r in log if r.host == "news.okezone.com" and "/read/" in r.path)
    gaps = [b - a for a, b in pairwise(story_hits)]
    assert gaps
    # Scrapy randomises the delay between 0.5x and 1.5x; it never goes below half of it.
    assert min(gaps) >= 0.5 * DELAY - 0.02


@pytest.mark.slow
def test_s14_a_redesigned_listing_makes_the_run_suspect_until_a_good_run(runs, db):
    assert runs.results["redesigned"].items == []
    [flag] = [f for f in runs.flags["redesigned"] if f.startswith("suspect: item_count")]
    assert "found 0 article link(s)" in flag
    assert not [f for f in runs.flags["good"] if f.startswith("suspect")]  # the next good run clears it
    statuses = [r[0] for r in rows(db, "SELECT status FROM crawl_runs WHERE site = 'okezone' ORDER BY id")]
    assert statuses == ["finished", "finished", "finished"]


def test_s14_the_alert_is_logged_on_each_state_change_only(db, caplog):
    flagged = health.SiteHealth("bisnis", None, None, ["suspect: item_count: x"])
    healthy = health.SiteHealth("bisnis", None, None, [])
    now = datetime.now(UTC)
    with caplog.at_level(logging.INFO, logger="pantau.scheduler.health"), db.connection() as conn:
        for state in (flagged, flagged, healthy, healthy):
            health.record(conn, state, now)
    assert [r.getMessage() for r in caplog.records] == [
        "site is unhealthy: suspect: item_count: x",
        "site is healthy again",
    ]


@pytest.mark.slow
def test_s15_a_missing_body_selector_fails_field_coverage_with_the_field_and_samples(runs, db):
    [flag] = [f for f in runs.flags["partial"] if "field coverage" in f]
    assert "the body selector matched 0 of 3 stories" in flag
    assert any(url in flag for url in runs.changed)
    # Per policy the stories are still stored (title and text from the whole page), not lost.
    stored = stored_urls(db)
    assert all(url in stored for url in runs.changed)
    titles = [
        r[0] for r in rows(db, "SELECT title FROM articles WHERE canonical_url = ANY(%s)", runs.changed)
    ]
    assert len(titles) == 3
    assert all(titles)
    assert last_run(db, "okezone")[2]["missed_body"] == 3
