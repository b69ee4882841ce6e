"""A backfill over five weeks of the replay world: finds every listed on-topic story, twice does nothing,
today's index is walked again, and no digest receives what it stored unless a subscription asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from pantau.base.errors import PantauError
from pantau.base.settings import load_settings
from pantau.crawler.backfill.plan import Range
from pantau.crawler.backfill.run import Backfill
from tests.support.backfill import article_paths, query, stored_urls
from tests.support.backfill_world import BEFORE_SINCE_DAY, PAGE_SIZE, RUSSIA_ONLY_DAY
from tests.support.replay.server import HOSTS
from tests.support.replay.world import SITES

SINCE_DAYS = 30


@pytest.mark.slow
def test_backfill_finds_every_listed_on_topic_story_and_fetches_little_else(
    backfill_replay, make_backfill, database_url, today
):
    world, expected, server = backfill_replay
    states = make_backfill(list(SITES), SINCE_DAYS).run()

    assert {site: state.status for site, state in states.items()} == dict.fromkeys(SITES, "done")
    stored = stored_urls(database_url)
    for site in SITES:
        assert {s.url for s in expected[site]} <= stored, site
        assert states[site].dates_done == states[site].dates_asked == SINCE_DAYS
        assert states[site].progress.on_topic == len(expected[site])
    # Everything stored by the backfill is marked as such, and was fetched once.
    assert query(database_url, "SELECT DISTINCT backfilled FROM articles") == [(True,)]
    paths = article_paths(server)
    assert len(paths) == len(set(paths))
    # Off the topic only: the Russia-only story (its title names one side, so the daily index keeps
    # it) and, on Kompas, the latest untagged stories an exhausted tag is padded with.
    padding = [s for s in world.of("kompas") if "kim-jong-un" not in s.tags][:PAGE_SIZE]
    allowed = {s.path for site in SITES for s in expected[site]}
    allowed |= {s.path for s in world.stories if s.local.date() == today - timedelta(days=RUSSIA_ONLY_DAY)}
    allowed |= {s.path for s in padding}
    assert set(paths) <= allowed
    old = [s for s in world.stories if s.local.date() == today - timedelta(days=BEFORE_SINCE_DAY)]
    assert not {s.path for s in old} & set(paths)  # listed on the tags, but before --since
    # Only the replay hosts were asked, and every backfill run is recorded with its kind.
    assert {r.host for r in server.requests()} <= set(HOSTS)
    kinds = query(database_url, "SELECT DISTINCT kind, status FROM crawl_runs")
    assert kinds == [("backfill", "finished")]


@pytest.mark.slow
def test_bisnis_search_links_are_unwrapped_and_kompas_tag_padding_stops_the_walk(backfill_replay):
    _world, expected, server = backfill_replay
    searches = [r for r in server.requests("bisnis") if r.host == "search.bisnis.com" and r.path == "/"]
    assert searches  # the search was walked, and its wrapped links led to the stories:
    assert {s.path for s in expected["bisnis"]} <= set(article_paths(server, "bisnis"))
    # korea-utara lists 5 stories (4 a page): page 2 holds the last and the padding; never page 3.
    tag_pages = [r.query for r in server.requests("kompas") if r.path == "/tag/korea-utara"]
    assert sorted(tag_pages) == ["page=1", "page=2"]
    # An empty tag (kim-jong-un) is all padding: page 2 repeats page 1 and the walk ends there.
    assert sorted(r.query for r in server.requests("kompas") if r.path == "/tag/kim-jong-un") == [
        "page=1",
        "page=2",
    ]


@pytest.mark.slow
def test_a_second_backfill_requests_nothing(backfill_replay, make_backfill, database_url):
    server = backfill_replay[2]
    before = len(server.requests())
    runs = query(database_url, "SELECT count(*) FROM crawl_runs")
    states = make_backfill(list(SITES), SINCE_DAYS).run()
    assert {state.status for state in states.values()} == {"done"}
    assert server.requests()[before:] == []
    assert query(database_url, "SELECT count(*) FROM crawl_runs") == runs  # no child was even started


@pytest.mark.slow
def test_todays_index_is_walked_again_and_nothing_else(backfill_replay, make_backfill, today):
    server = backfill_replay[2]
    make_backfill(["detik"], 1, until_days=0).run()  # yesterday (done) and today (new)
    before = len(server.requests())
    states = make_backfill(["detik"], 1, until_days=0).run()
    assert states["detik"].status == "done"
    again = {r.target for r in server.requests()[before:] if r.path != "/robots.txt"}
    page_one = f"news.detik.com/internasional/indeks?date={today:%m}%2F{today:%d}%2F{today:%Y}&page=1"
    assert page_one in again
    assert all(t.startswith(page_one[:-1]) for t in again), again


@pytest.mark.slow
def test_no_digest_receives_backfilled_stories_unless_asked(backfill_replay, backfill_settings, database_url):
    from pantau.scheduler import digest

    subs = [
        {"name": "analysts", "recipients": ["analyst@example.org"]},
        {"name": "historians", "recipients": ["archive@example.org"], "include_backfill": True},
    ]
    with_subs = load_settings(
        None, data_dir=backfill_settings.data_dir, database_url=database_url, subscriptions=subs
    )
    subscriptions = digest.load_subscriptions(with_subs)
    now = datetime.now(UTC)
    with psycopg.connect(database_url, autocommit=True) as conn:
        digest.sync(conn, subscriptions, now)
        built = {}
        for sub in subscriptions:  # a period covering the whole backfill
            with conn.transaction():
                built[sub.name] = digest.build_one(
                    conn, with_subs, sub, now - timedelta(days=1), now, now, health=[]
                )
        items = conn.execute(
            "SELECT d.subscription, a.backfilled FROM digest_items i"
            " JOIN digests d ON d.id = i.digest_id JOIN articles a ON a.id = i.article_id"
        ).fetchall()
    assert built["analysts"] is not None
    assert built["analysts"].status == "empty"
    assert [row for row in items if row[0] == "analysts"] == []
    # The stories are there and on topic: a subscription that asks for them gets them.
    assert built["historians"] is not None
    assert built["historians"].status == "ready"
    assert {backfilled for name, backfilled in items if name == "historians"} == {True}


def test_unknown_topic_terms_are_refused_naming_the_site_file(backfill_settings, database_url, today):
    with pytest.raises(PantauError, match=r"crawler/sites/detik.toml: no \[backfill.topics.other\] table"):
        Backfill(backfill_settings, ["detik"], Range(today, today, today), "other", database_url)
