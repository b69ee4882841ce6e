"""Incremental crawls against a real archive: RunRecorder + pantau's pipelines + the test database."""

from __future__ import annotations

import re

import psycopg
import pytest

from tests.support.replay import default_world, run_crawl, serve
from tests.support.replay.world import Story, load_story_text

pytestmark = pytest.mark.slow  # subprocess crawls of the replay world

STORY_ID = re.compile(r"/(?:read|amp|copy)/|/d-\d+/")


@pytest.mark.parametrize("site", ["kompas", "detik"])
def test_a_second_crawl_requests_no_article_and_gets_304_on_sitemaps(tmp_path, database_url, site):
    world = default_world()
    with serve(world) as server:
        first = run_crawl(site, server, tmp_path / "1", database_url=database_url, pipelines=True)
        assert first.returncode == 0, first.log[-3000:]
        with psycopg.connect(database_url) as conn:
            stored = {
                r[0] for r in conn.execute("SELECT canonical_url FROM articles WHERE site = %s", (site,))
            }
        assert stored == {s.url for s in world.of(site)}, first.log[-3000:]
        server.clear_log()

        second = run_crawl(site, server, tmp_path / "2", database_url=database_url, pipelines=True)
        log = server.requests(site)
        assert second.returncode == 0, second.log[-3000:]
        assert not [r for r in log if STORY_ID.search(r.path)]  # nothing new: no article page
        # Unconditional listings (index, tag pages) still list stories: all known, none fetched.
        assert second.stat("pantau/known") >= 1
        assert second.stat("pantau/fetched") == 0
        news_sitemaps = [r for r in log if "sitemap_news" in r.path or "sitemap-news" in r.path]
        assert news_sitemaps
        assert all(r.status == 304 and r.if_none_match for r in news_sitemaps)

        title, paragraphs = load_story_text("offtopic_ponsel_baru")
        newest = world.of(site)[0]
        fresh_id = str(int(newest.article_id) + 7).zfill(len(newest.article_id))
        fresh = world.add(Story(site, fresh_id, world.now, title, paragraphs, section="internasional"))
        server.clear_log()
        third = run_crawl(site, server, tmp_path / "3", database_url=database_url, pipelines=True)
        fetched = [r for r in server.requests(site) if STORY_ID.search(r.path)]
        assert [r.path for r in fetched] == [fresh.path]  # only the new story
        assert [i["canonical_url"] for i in third.items] == [fresh.url]
