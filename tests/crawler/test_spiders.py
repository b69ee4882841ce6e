"""The four spiders against the replay world, through Scrapy's real download path (subprocess crawls)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from pantau.crawler.settings import CONCURRENT_REQUESTS
from tests.support.replay import Story, add_faults, default_world, run_crawl, serve
from tests.support.replay.server import HOSTS

pytestmark = pytest.mark.slow  # subprocess crawls of the replay world

SITES = ("okezone", "detik", "bisnis", "kompas")
STORY_ID = re.compile(r"/(?:read|amp|copy)/|/d-\d+/")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl per site of a world with every fault; (world, faults, results, request log) per site."""
    world = default_world()
    faults = add_faults(world)
    results, logs = {}, {}
    with serve(world) as server:
        for site in SITES:
            results[site] = run_crawl(site, server, tmp_path_factory.mktemp(site))
            logs[site] = server.requests(site)
    return world, faults, results, logs


def _fine(world, site):
    return [s for s in world.of(site) if s.fault not in ("blocked", "offsite_redirect")]


@pytest.mark.parametrize("site", SITES)
def test_one_crawl_yields_every_story_once(crawled, site):
    world, _, results, _ = crawled
    result = results[site]
    assert result.returncode == 0, result.log[-2000:]
    got = [(i["canonical_url"], i["site_article_id"]) for i in result.items]
    assert sorted(got) == sorted((s.url, s.site_article_id) for s in _fine(world, site))
    assert result.stat("pantau/fetched") >= len(got)
    assert all(i["site"] == site and i["fetched_at"].endswith("+00:00") for i in result.items)


@pytest.mark.parametrize("site", SITES)
def test_variants_and_non_articles_are_never_requested(crawled, site):
    world, _, _, logs = crawled
    article_requests = [r for r in logs[site] if STORY_ID.search(r.path)]
    story_hosts = {s.host for s in world.of(site)}
    assert {r.host for r in article_requests} <= story_hosts  # no amp./m. hosts
    assert not [r for r in article_requests if re.search(r"source=|jxrecoid|tag_from|utm_|_ga=", r.query)]
    paths = [r.path for r in article_requests]
    assert len(paths) == len(set(paths))  # every story (and Bisnis page) requested once
    paths = [r.target for r in logs[site]]
    assert not [
        p for p in paths if re.search(r"/foto-|20\.detik|video\.|/tag/rusia|kompas\.(tv|id)|search", p)
    ]


def test_requests_stay_on_replayed_hosts_and_identify_us(crawled):
    _, _, _, logs = crawled
    every = [r for site in SITES for r in logs[site]]
    assert {r.host for r in every} <= set(HOSTS)
    assert all(r.user_agent.startswith("pantau/") for r in every)
    assert not [r for r in every if r.host == "www.bisnis.com" and r.path.startswith(("/rss", "/feed"))]


@pytest.mark.parametrize("site", ["okezone", "kompas", "detik"])
def test_paged_stories_are_fetched_as_their_single_page_view(crawled, site):
    world, _, results, _ = crawled
    paged = [s for s in world.of(site) if s.pages > 1]
    assert paged
    by_url = {i["canonical_url"]: i for i in results[site].items}
    for story in paged:
        item = by_url[story.url]
        assert item["url"] == story.url + ("?single=1" if site == "detik" else "?page=all")
        page = html.unescape(item["html"])
        assert story.paragraphs[-1][:60] in page
        assert story.paragraphs[0][:60] in page


def test_detik_multicard_story_has_all_sections(crawled):
    _, faults, results, _ = crawled
    item = next(i for i in results["detik"].items if i["canonical_url"] == faults["detik_multicard"].url)
    assert all(f'id="section-detail-{n}"' in item["html"] for n in (1, 2, 3))


def test_bisnis_pages_two_to_n_arrive_with_the_story(crawled):
    world, _, results, logs = crawled
    story = next(s for s in world.of("bisnis") if s.pages > 1)
    item = next(i for i in results["bisnis"].items if i["canonical_url"] == story.url)
    assert item["url"] == story.url
    assert len(item["extra_pages"]) == story.pages - 1
    assert story.paragraphs[-1][:60] in html.unescape(item["extra_pages"][-1])
    assert story.paragraphs[-1][:60] not in html.unescape(item["html"])  # page 1 alone is not the story
    assert [r.path for r in logs["bisnis"]].count(story.path + "/2") == 1


@pytest.mark.parametrize(("site", "fault"), [("bisnis", "bisnis_blocked"), ("kompas", "kompas_blocked")])
def test_block_pages_are_counted_never_parsed_and_the_crawl_goes_on(crawled, site, fault):
    _, faults, results, logs = crawled
    result = results[site]
    assert faults[fault].url not in {i["canonical_url"] for i in result.items}
    assert result.stat("pantau/blocked") == 1
    assert "blocked:" in result.log
    assert len(result.items) >= 4
    assert [r.status for r in logs[site] if r.path == faults[fault].path] in ([403], [202])


def test_a_windows_1252_page_is_decoded_by_its_header(crawled):
    _, faults, results, _ = crawled
    item = next(i for i in results["detik"].items if i["canonical_url"] == faults["detik_cp1252"].url)
    assert "“Kopi Senja”" in item["html"]
    assert "Crème Brûlée" in item["html"]
    assert "\ufffd" not in item["html"]


def test_a_malformed_page_is_passed_on_whole_for_extraction_to_judge(crawled):
    _, faults, results, _ = crawled
    item = next(i for i in results["okezone"].items if i["canonical_url"] == faults["okezone_malformed"].url)
    assert "terpotong" in item["html"]
    assert item["html"].startswith("<!DOCTYPE html>")


def test_an_article_redirecting_off_site_is_refused_and_recorded(crawled):
    _, faults, results, _ = crawled
    result = results["kompas"]
    assert faults["kompas_offsite"].url not in {i["canonical_url"] for i in result.items}
    assert result.stat("pantau/refused_offsite") == 1
    assert "evil.example.net" in result.log
    assert "leaves the site" in result.log


def _world_crawl(tmp_path: Path, site: str, change=None, **crawl):
    world = default_world()
    if change:
        change(world)
    with serve(world) as server:
        result = run_crawl(site, server, tmp_path, **crawl)
        return world, result, server.requests(site)


def test_robots_disallow_is_respected(tmp_path):
    world = default_world()
    banned = world.of("bisnis")[1]
    world.robots_extra["kabar24.bisnis.com"] = [f"Disallow: {banned.path}"]
    with serve(world) as server:
        result = run_crawl("bisnis", server, tmp_path)
        log = server.requests("bisnis")
    assert banned.path not in [r.path for r in log]
    assert banned.url not in {i["canonical_url"] for i in result.items}
    assert len(result.items) == len(world.of("bisnis")) - 1


def test_unreachable_robots_txt_skips_the_run(tmp_path):
    _world, result, log = _world_crawl(
        tmp_path, "kompas", lambda w: w.robots_status.update({"www.kompas.com": 503})
    )
    assert result.finish_reason == "robots_unreachable"
    assert result.items == []
    assert {r.path for r in log if r.host == "www.kompas.com"} == {"/robots.txt"}
    assert not [r for r in log if STORY_ID.search(r.path)]


def test_a_start_url_redirecting_off_site_is_refused_and_the_fallback_runs(tmp_path):
    def redirect(world):
        world.redirects["news.detik.com/rss"] = "https://evil.example.net/rss"

    world, result, log = _world_crawl(tmp_path, "detik", redirect)
    assert result.stat("pantau/refused_offsite") == 1
    assert result.stat("pantau/fallback") == 1
    assert "fallback: rss -> indeks-internasional" in result.log
    assert any(r.path == "/internasional/indeks" for r in log)
    assert len(result.items) == len(world.of("detik"))


def test_a_missing_sitemap_index_falls_back_and_says_so(tmp_path):
    world, result, log = _world_crawl(
        tmp_path, "kompas", lambda w: w.missing.add("www.kompas.com/sitemap.xml")
    )
    assert "fallback: sitemap-index -> indeks-global-deep" in result.log
    assert result.stat("pantau/fallback") == 1
    assert {
        r.query.rsplit("=", 1)[1] for r in log if r.host == "indeks.kompas.com" and "page=" in r.query
    } == {"2", "3"}
    assert len(result.items) == len(world.of("kompas"))  # the index and tag pages still found all


def test_429_is_retried_after_retry_after(tmp_path):
    world, result, log = _world_crawl(
        tmp_path, "bisnis", lambda w: w.too_many.update({"www.bisnis.com/sitemap-news.xml": 1})
    )
    hits = [r for r in log if r.path == "/sitemap-news.xml"]
    assert [r.status for r in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= 0.95
    assert len(result.items) == len(world.of("bisnis"))


def test_the_page_budget_takes_the_newest_stories_first(tmp_path):
    world, result, log = _world_crawl(tmp_path, "okezone", max_pages=2)
    newest = [s.url for s in world.of("okezone")[:2]]
    assert sorted(i["canonical_url"] for i in result.items) == sorted(newest)
    assert len([r for r in log if STORY_ID.search(r.path)]) == 2
    assert result.stat("pantau/deferred") == len(world.of("okezone")) - 2


def test_a_host_answering_only_block_pages_is_dropped_after_three(tmp_path):
    def block_all(world):
        for n in range(20):
            world.add(Story("bisnis", str(1979200 + n), world.now, f"Berita {n}", ["isi"], fault="blocked"))
        for story in world.of("bisnis"):
            story.fault = "blocked"

    world, result, log = _world_crawl(tmp_path, "bisnis", block_all)
    sent = len([r for r in log if STORY_ID.search(r.path)])
    # Requests already handed to the downloader when the third block page arrives still go out
    # (at most CONCURRENT_REQUESTS); everything after that is refused without a request.
    assert 3 <= sent <= 3 + CONCURRENT_REQUESTS
    assert sent < len(world.of("bisnis"))
    assert result.stat("pantau/blocked") == sent
    assert result.stat("pantau/backed_off") == len(world.of("bisnis")) - sent
    assert result.items == []
