"""A wire story carried by two outlets, crawled from the replay: one story wherever a reader meets it.

Okezone runs an Antara story; Bisnis runs it 40 minutes later retitled, with another dateline, one
sentence split in two, the last paragraph dropped and its AI summary box on top. After a real
`pantau crawl` of both sites, the digest (text and HTML), the Atom feed, `pantau search --clusters`
and `pantau show` must each show it once, naming the other outlet, with clean leads and snippets.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from lxml import etree

from pantau.cli.main import cli
from pantau.scheduler import jobs
from tests.support.digests import Clock, add_subscription_row
from tests.support.helpers import run_pantau
from tests.support.replay import add_wire_pair, default_world, serve
from tests.support.replay.crawl import write_config
from tests.support.replay.world import Story
from tests.support.web import serve_web

pytestmark = pytest.mark.slow  # a subprocess crawl of two sites

ATOM = {"a": "http://www.w3.org/2005/Atom"}
SITES = ("okezone", "bisnis")
CUT_OR_FURNITURE = re.compile(r"Halaman all|Ringkasan|okezone news|PYONGYANG –|Bisnis\.com, JAKARTA|\bMosk\b")
INSIDE_WORD_HIGHLIGHT = re.compile(r"\w\*\w+\*|\*\w+\*\w")


@pytest.fixture(scope="module")
def crawled(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real `pantau crawl okezone bisnis` of the replay world with the wire pair in it."""
    workdir = tmp_path_factory.mktemp("wire")
    world = default_world()
    okezone, bisnis = add_wire_pair(world)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE articles, subscriptions, digests, crawl_runs CASCADE")
    started = datetime.now(UTC)
    with serve(world) as server:
        config = write_config(workdir / "pantau.toml", server, timeout_minutes=2)
        data_dir = workdir / "data"
        done = run_pantau(
            "--config",
            str(config),
            "crawl",
            *SITES,
            database_url=database_url,
            data_dir=data_dir,
            timeout=240,
        )
    assert done.returncode == 0, done.stderr[-4000:]
    with psycopg.connect(database_url) as conn:
        ids = {
            url: (int(i), int(c))
            for url, i, c in conn.execute("SELECT canonical_url, id, cluster_id FROM articles")
        }
        on_topic_clusters = conn.execute(
            "SELECT count(DISTINCT a.cluster_id) FROM articles a JOIN article_topics t ON t.article_id = a.id"
            " WHERE t.on_topic"
        ).fetchone()
    assert on_topic_clusters is not None
    return {
        "world": world,
        "okezone": okezone,
        "bisnis": bisnis,
        "ids": ids,
        "stories": int(on_topic_clusters[0]),
        "started": started,
    }


def _id(crawled: dict[str, Any], story: Story) -> int:
    return int(crawled["ids"][story.url][0])


def test_the_two_copies_are_one_cluster(crawled):
    assert crawled["ids"][crawled["okezone"].url][1] == crawled["ids"][crawled["bisnis"].url][1]


def test_the_digest_lists_the_wire_story_once_naming_the_other_outlet(crawled, db, make_settings, smtp):
    add_subscription_row(db, "analysts", crawled["started"] - timedelta(minutes=1))
    sub = {"name": "analysts", "recipients": ["analyst@example.org"], "schedule": "as-it-happens"}
    settings = make_settings(smtp_url=smtp[1], subscriptions=[sub], crawl={"sites": list(SITES)})
    report = jobs.digest_cycle(db, settings, Clock(datetime.now(UTC) + timedelta(minutes=10)))
    assert report is not None
    assert report.sent.sent == 1
    message = smtp[0].received[0].message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()

    entries = re.findall(r"^\d+\. ", text, re.MULTILINE)
    assert len(entries) == crawled["stories"]  # one entry per story, however many outlets ran it
    titles = (crawled["okezone"].title, crawled["bisnis"].title)
    assert sum(text.count(title) for title in titles) == 1
    assert re.search(r"\(also reported by (Okezone|Bisnis), \d\d:\d\d\)", text)
    assert "also reported by" in html
    assert not CUT_OR_FURNITURE.search(text)
    assert not CUT_OR_FURNITURE.search(html)
    assert not INSIDE_WORD_HIGHLIGHT.search(text)
    assert "*persenjataan*" in text or "*Korea Utara*" in text
    assert "page=all" not in text
    assert "page=all" not in html
    _no_sentence_twice(text)


def _no_sentence_twice(text: str) -> None:
    """No sentence of a digest's snippets appears twice within one entry."""
    for entry in re.split(r"^\d+\. ", text, flags=re.MULTILINE)[1:]:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(entry.split())) if len(s) > 40]
        assert len(sentences) == len(set(sentences)), entry


def test_the_feed_has_one_entry_for_the_pair(crawled, db, tmp_path):
    with serve_web(db, tmp_path) as url:
        response = httpx.get(f"{url}/feeds/nk-russia-arms.atom", timeout=10)
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    entries = feed.findall("a:entry", ATOM)
    assert len(entries) == crawled["stories"]
    links = [e.find("a:link[@rel='alternate']", ATOM).get("href") for e in entries]
    pair = {crawled["okezone"].url, crawled["bisnis"].url}
    [entry] = [e for e, link in zip(entries, links, strict=True) if link in pair]
    summary = entry.findtext("a:summary", namespaces=ATOM)
    assert "also reported by" in summary
    assert not CUT_OR_FURNITURE.search(summary)


def _pantau(database_url: str, tmp_path: Path, *args: str) -> Any:
    env = {"PANTAU_DATABASE_URL": database_url, "PANTAU_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "80"}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_search_clusters_gives_one_row_and_show_lists_the_other_copy(crawled, database_url, tmp_path):
    table = _pantau(database_url, tmp_path, "search", "perjanjian kemitraan", "--clusters").stdout
    assert len(re.findall(r"^  #\d+ ", table, re.MULTILINE)) == 1
    assert re.search(r"also in (okezone|bisnis)", table)
    assert all(len(line) <= 80 for line in table.splitlines() if not line.startswith("  http"))
    assert "page=all" not in table

    shown = _pantau(database_url, tmp_path, "show", str(_id(crawled, crawled["bisnis"]))).stdout
    assert "other copies of this story: 1" in shown
    okezone = _id(crawled, crawled["okezone"])
    assert re.search(rf"^  #{okezone} okezone .* {re.escape(crawled['okezone'].url)}$", shown, re.MULTILINE)
    assert "the site's own summary (bisnis" in shown
    body = shown.split("\n\n", 3)[-1]
    assert "Ringkasan" not in body
    assert "dibantu dengan menggunakan AI" not in body
