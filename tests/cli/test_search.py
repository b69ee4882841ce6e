"""`pantau search`: Indonesian stemming, web-search syntax, every filter, clusters, formats, bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest


def test_stemming_finds_affixed_forms(search_ids):
    # "senjata" is stored as persenjataan / senjata; the stemmer joins them.
    found = search_ids("senjata")
    assert {"pasokan", "hostile", "undated"} <= set(found)
    assert set(search_ids("persenjataan")) >= {"pasokan", "pasokan-kompas", "hostile"}


def test_title_matches_rank_above_body_matches(search_ids):
    found = search_ids("kursk")
    assert found[0] == "kursk"  # in the title (weight A)


def test_phrase_needs_the_words_in_order(search_ids):
    assert search_ids('"rudal balistik"') == ["kn23"]
    assert "emas" in search_ids("balistik")
    assert search_ids('"balistik rudal"') == []


def test_exclusion_and_or(search_ids):
    assert set(search_ids("balistik")) == {"kn23", "emas"}
    assert search_ids("balistik -emas") == ["kn23"]
    assert set(search_ids("kharkiv OR masikryong")) == {"kn23", "wisata"}
    assert search_ids("kharkiv masikryong") == []


def test_site_and_language_filters(search_ids):
    assert set(search_ids("amunisi", "--site", "detik")) == {"pasokan-detik"}
    assert set(search_ids("amunisi", "--site", "detik", "--site", "kompas")) == {
        "pasokan-detik",
        "pasokan-kompas",
    }
    assert search_ids("troops", "--lang", "en") == ["troops-en"]
    assert search_ids("troops", "--lang", "id") == []


def test_dates_are_whole_days_in_the_users_zone(search_ids):
    # "pasokan" is published 2025-01-31 23:30 WIB = 16:30 UTC: January in Jakarta and in UTC,
    # but the copies on 2025-02-01 08:00 WIB are 2025-02-01 01:00 UTC (February in both).
    january = set(search_ids("amunisi", "--since", "2025-01-01", "--until", "2025-01-31"))
    assert january == {"pasokan"}
    assert set(search_ids("amunisi", "--since", "2025-01", "--until", "2025-01")) == {"pasokan"}
    assert set(search_ids("amunisi", "--since", "2025-02-01")) == {"pasokan-detik", "pasokan-kompas"}
    # In a zone 8 hours behind UTC (Los Angeles), 23:30 WIB on Jan 31 is still Jan 31, and 08:00 WIB
    # on Feb 1 is 17:00 on Jan 31: all three are on Jan 31 there.
    la = set(
        search_ids(
            "amunisi", "--since", "2025-01-31", "--until", "2025-01-31", timezone="America/Los_Angeles"
        )
    )
    assert la == {"pasokan", "pasokan-detik", "pasokan-kompas"}
    # In Tokyo (UTC+9) the first copy is 01:30 on Feb 1.
    tokyo = set(search_ids("amunisi", "--until", "2025-01-31", timezone="Asia/Tokyo"))
    assert tokyo == set()


def test_dates_are_shown_in_the_users_zone_with_offset(pantau, archive):
    result = pantau("search", '"pelabuhan rajin"', "--format", "json", "--site", "okezone")
    (hit,) = json.loads(result.stdout)
    assert hit["published_at"] == "2025-01-31T23:30:00+07:00"
    result = pantau("search", '"pelabuhan rajin"', "--format", "json", "--site", "okezone", timezone="UTC")
    assert json.loads(result.stdout)[0]["published_at"] == "2025-01-31T16:30:00+00:00"


def test_topic_and_min_score(search_ids):
    assert set(search_ids("rusia", "--topic", "nk-russia-arms")) == {
        "pasokan", "pasokan-detik", "pasokan-kompas", "kn23", "pakta", "kursk",
    }  # fmt: skip
    assert "wisata" in search_ids("rusia")  # off topic, found without --topic
    assert set(search_ids("rusia", "--topic", "nk-russia-arms", "--min-score", "7.5")) == {
        "pasokan",
        "kn23",
        "pakta",
    }
    assert set(search_ids("rusia", "--min-score", "0.9")) >= {"wisata"}
    assert "emas" not in search_ids("rusia", "--min-score", "0.9")


def test_clusters_give_one_row_per_story_with_the_other_outlets(pantau, archive):
    result = pantau("search", "amunisi", "--clusters", "--format", "json")
    hits = json.loads(result.stdout)
    assert len(hits) == 1
    (hit,) = hits
    assert hit["cluster_id"] == archive["pasokan"]
    assert hit["other_copies"] == 2
    assert set(hit["other_sites"]) | {hit["site"]} == {"okezone", "detik", "kompas"}
    assert len(json.loads(pantau("search", "amunisi", "--format", "json").stdout)) == 3


def test_limit_and_offset_page_through_the_same_order(search_ids):
    everything = search_ids("rusia")
    assert len(everything) >= 6
    assert search_ids("rusia", "--limit", "2") == everything[:2]
    assert search_ids("rusia", "--limit", "2", "--offset", "2") == everything[2:4]


def test_snippets_highlight_matches_and_escape_scraped_html(pantau, archive):
    hits = json.loads(pantau("search", "rahasia", "--format", "json").stdout)
    (hit,) = hits
    assert "<script>" not in hit["snippet_html"]
    assert "publik &amp; [bold]media" in hit["snippet_html"]  # scraped text, escaped
    assert "<mark>rahasia</mark>" in hit["snippet_html"]
    assert "\x02" not in hit["snippet"]
    assert "rahasia" in hit["snippet"]


def test_table_format_shows_title_snippet_and_local_time(pantau):
    result = pantau("search", "kharkiv")
    assert result.exit_code == 0
    assert "Rudal KN-23 Korea Utara Dipakai Rusia" in result.stdout
    assert "2025-01-10 14:00 +07:00" in result.stdout
    assert "Kharkiv" in result.stdout


def test_table_does_not_interpret_scraped_markup(pantau):
    result = pantau("search", "rahasia")
    assert "[bold]media" in result.stdout  # printed as text, not taken as console markup


def test_jsonl_and_csv_formats_parse(pantau, archive):
    lines = pantau("search", "amunisi", "--format", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["id"] for r in records} == {
        archive["pasokan"],
        archive["pasokan-detik"],
        archive["pasokan-kompas"],
    }
    rows = list(csv.DictReader(io.StringIO(pantau("search", "amunisi", "--format", "csv").stdout)))
    assert {int(r["id"]) for r in rows} == {r["id"] for r in records}
    assert all(r["published_at"].endswith("+07:00") for r in rows)


def test_no_match_says_so_on_stderr_and_exits_0(pantau):
    result = pantau("search", "zeppelin")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no stories match" in result.stderr
    as_json = pantau("search", "zeppelin", "--format", "json")
    assert json.loads(as_json.stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["!!! ((("], "has no words to search for"),
        (["   "], "search query is empty"),
        (["--", "-rusia"], "only excludes words"),
        (["-rusia"], "to exclude a word, put the query after --"),
        (["rusia", "--since", "2025-13-01"], "--since '2025-13-01' is not a date"),
        (["rusia", "--until", "kemarin"], "--until 'kemarin' is not a date"),
        (["rusia", "--since", "2025-02-01", "--until", "2025-01-01"], "is after --until"),
        (["rusia", "--topic", "cuaca"], "unknown topic 'cuaca'"),
        (["rusia", "--lang", "indonesian"], "not a two-letter"),
        (["rusia", "--site", "tempo"], "'tempo' is not one of"),
        (["rusia", "--limit", "x"], "'x' is not a valid integer"),
        (["rusia", "--min-score", "tinggi"], "--min-score"),
        (["rusia" * 200], "keep it under 500"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(pantau, args, message):
    result = pantau("search", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_pages_beyond_the_rank_window_are_still_served(db, archive, monkeypatch):
    from pantau.storage import search as archive_search

    monkeypatch.setattr(archive_search, "RANK_WINDOW", 4)
    filters = archive_search.Filters(query="rusia")
    with db.connection() as conn:
        pages = [archive_search.search(conn, filters, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [len(page) for page in pages] == [2, 2, 2]
    # The first two pages come from one ranking of the 4 newest matches: no story twice.
    assert not {hit.id for hit in pages[0]} & {hit.id for hit in pages[1]}


@pytest.mark.parametrize("walk_above", [0, 10**9])
def test_both_candidate_strategies_give_the_same_hits(db, archive, monkeypatch, walk_above):
    from pantau.storage import search as archive_search

    monkeypatch.setattr(archive_search, "WALK_ABOVE", walk_above)  # 0: walk the date index always
    with db.connection() as conn:
        hits = archive_search.search(
            conn, archive_search.Filters(query="amunisi OR rudal", sites=("kompas",))
        )
    assert {hit.id for hit in hits} == {archive["pasokan-kompas"], archive["kn23"]}
    assert hits[0].id == archive["kn23"]  # "rudal" in its title
