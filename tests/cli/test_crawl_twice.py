"""Two `pantau crawl` runs of the whole replay world, as an operator sees them (issue 13's "Done when").

The world has one article per site that misbehaves (a WAF challenge on Kompas and Bisnis, a
malformed Okezone page, a Kompas redirect off the site) while every listing answers: both crawls are
`finished`, exit 0, and the second does not ask again for the pages that failed in the first.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.helpers import run_pantau
from tests.support.replay import default_world, serve
from tests.support.replay.crawl import pantau_crawl
from tests.support.replay.world import World, add_faults

pytestmark = pytest.mark.slow  # four crawl subprocesses, twice
SITES = ("okezone", "detik", "bisnis", "kompas")  # the shipped ones, all in the replay world


def table(stdout: str) -> dict[str, list[str]]:
    """The printed table's rows by site: the eight counts, then the status words."""
    rows = [line.split() for line in stdout.splitlines()[1:] if line.strip()]
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def twice(database_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The world, its faulty stories, both crawls and the requests of each."""
    workdir = tmp_path_factory.mktemp("twice")
    world: World = default_world()
    faults = add_faults(world)
    with serve(world) as server:
        first = pantau_crawl(server, workdir, database_url)
        first_requests = server.requests()
        server.clear_log()
        second = pantau_crawl(server, workdir, database_url)
        second_requests = server.requests()
    return world, faults, (first, first_requests), (second, second_requests)


def test_both_crawls_exit_0_with_every_site_finished(twice):
    _world, _faults, (first, _), (second, _) = twice
    for result in (first, second):
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        rows = table(result.stdout)
        assert sorted(rows) == sorted(SITES)
        assert all(row[8:] == ["finished"] for row in rows.values()), result.stdout
        assert "pantau: error" not in result.stderr


def test_a_challenged_article_is_counted_and_waits_out_the_back_off(twice, database_url):
    world, _faults, (first, first_requests), (_second, second_requests) = twice
    blocked = [s for s in world.stories if s.fault == "blocked"]
    assert {s.site for s in blocked} == {"kompas", "bisnis"}
    first_rows = table(first.stdout)
    for story in blocked:
        assert first_rows[story.site][7] == "1"  # the blocked column
        assert any(story.article_id in r.path for r in first_requests)
        assert not any(story.article_id in r.path for r in second_requests), story.site
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT site, status, counts->>'backing_off', counts->>'blocked' FROM crawl_runs"
            " ORDER BY id DESC LIMIT 4"
        ).fetchall()
        failed = conn.execute(
            "SELECT count(*) FROM discovered_urls WHERE status = 'failed' AND next_attempt_at > now()"
        ).fetchone()
    by_site = {site: (status, int(waiting), int(blocks)) for site, status, waiting, blocks in rows}
    # Kompas lists its WAF-blocked page and its off-site redirect again: both wait, neither is asked.
    assert by_site["kompas"] == ("finished", 2, 0)
    assert by_site["bisnis"][::2] == ("finished", 0)  # (its sitemap answers 304: nothing listed again)
    assert failed[0] >= 3


def test_status_shows_no_false_alarm(twice, database_url, tmp_path):
    result = run_pantau("status", database_url=database_url, home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "FLAGGED" not in result.stdout


def test_an_unreachable_robots_txt_is_a_failure_with_advice_that_matches(database_url, tmp_path):
    world = default_world()
    world.robots_status["news.okezone.com"] = 503
    with serve(world) as server:
        result = pantau_crawl(server, tmp_path, database_url, "okezone")
    assert result.returncode == 1
    assert table(result.stdout)["okezone"][8:] == ["failed", "(robots_unreachable)"]
    advice = [line for line in result.stderr.splitlines() if line.startswith("okezone: ")]
    assert len(advice) == 1, result.stderr
    assert advice[0].startswith("okezone: failed (robots_unreachable) in crawl run ")
    assert "robots.txt could not be fetched" in advice[0]
    assert "another crawl" not in advice[0]
