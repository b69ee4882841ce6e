"""`pantau show` (by id or URL) and `pantau stats`."""

from __future__ import annotations

import json

import time_machine

from tests.support.archive import OLD_VERSION


def test_show_by_id_gives_text_metadata_topics_copies_versions(pantau, archive):
    result = pantau("show", str(archive["pasokan"]))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Korea Utara Kirim Persenjataan ke Rusia Lewat Pelabuhan Rajin" in out
    assert "2025-01-31 23:30 +07:00 (from jsonld)" in out
    assert "nk-russia-arms: 7.50 (on topic); matched: Korea Utara, Rusia, persenjataan, amunisi" in out
    assert "other copies of this story: 2" in out
    assert f"#{archive['pasokan-detik']} detik" in out
    assert "earlier versions: 1" in out
    assert f"v1 (replaced 2025-02-01 02:40 +07:00): {OLD_VERSION['title']}" in out
    assert "citra satelit menunjukkan" in out.lower()
    assert "Pyongyang diduga memasok peluru" in out  # the lead


def test_show_by_url_variant(pantau, archive):
    canonical = "https://news.okezone.com/read/2025/1000/pasokan"
    for url in (canonical, canonical + "?page=all"):
        result = pantau("show", url, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["id"] == archive["pasokan"]


def test_show_json_has_topics_and_versions(pantau, archive):
    record = json.loads(pantau("show", str(archive["pasokan"]), "--format", "json").stdout)
    assert record["topics"]["nk-russia-arms"]["on_topic"] is True
    assert record["versions"][0]["body"] == OLD_VERSION["body"]
    assert record["published_at"] == "2025-01-31T23:30:00+07:00"
    assert {c["site"] for c in record["copies"]} == {"detik", "kompas"}


def test_show_unknown_story_is_a_clear_error(pantau):
    for key, message in (("999999", "no stored story"), ("berita", "neither a story id")):
        result = pantau("show", key)
        assert result.exit_code == 2
        assert message in result.stderr


def test_stats_per_site_day_topic_and_last_crawl(pantau):
    with time_machine.travel("2025-02-02 12:00 +07:00", tick=False):
        result = pantau("stats", "--days", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    sites = {row["site"]: row["stories"] for row in data["sites"]}
    assert sites == {"okezone": 3, "detik": 3, "bisnis": 2, "kompas": 3}
    days = {row["day"]: row["stories"] for row in data["days"]}
    # Jan 31 23:30 WIB counts on Jan 31 (it is Jan 31 16:30 UTC); two copies on Feb 1.
    assert days == {"2025-01-31": 1, "2025-02-01": 2, "2025-02-02": 0}
    (topic,) = data["topics"]
    assert topic["topic"] == "nk-russia-arms"
    assert topic["on_topic"] == 8
    assert topic["stories"] == 6  # three copies of one story count once
    crawls = {row["site"]: row["status"] for row in data["crawls"]}
    assert crawls == {"okezone": "finished", "detik": "failed", "kompas": "finished"}


def test_stats_table(pantau):
    result = pantau("stats")
    assert result.exit_code == 0
    for title in ("stories per site", "stories per day", "stories per topic", "last crawl per site"):
        assert title in result.stdout
