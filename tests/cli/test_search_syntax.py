"""`pantau search` does what its syntax says: dangling OR, AND, common words, hyphenated spellings."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.support.archive import WIB

# Two stories written the other way round from the seed's: `Kim Jong-un` (the seed has "Kim Jong Un")
# and `Korea-Utara` (the seed has "Korea Utara").
HYPHENATED = {
    "kimjongun": (
        "Kim Jong-un Tinjau Pabrik Rudal",
        "Pemimpin Korea-Utara Kim Jong-un meninjau pabrik rudal dan amunisi di Pyongyang.",
    ),
    "korea-utara": (
        "Delegasi Militer Korea-Utara Tiba di Moskow",
        "Delegasi militer Korea-Utara membahas pengiriman peluru artileri dengan Kementerian Pertahanan.",
    ),
}


@pytest.fixture(scope="module")
def spelled(db, archive) -> dict[str, int]:
    """The seeded archive plus the hyphenated stories; ids by key."""
    ids = dict(archive)
    with db.connection() as conn:
        for number, (key, (title, body)) in enumerate(HYPHENATED.items(), start=2000):
            row = conn.execute(
                "INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, published_at,"
                " language, content_hash, simhash) VALUES ('detik', %s, %s, %s, %s, %s, %s, 'id', %s, %s)"
                " RETURNING id",
                (str(number), f"https://news.detik.com/d-{number}", f"https://news.detik.com/d-{number}",
                 title, body, datetime(2025, 3, 1, 9, number - 2000, tzinfo=WIB), str(number), number),
            ).fetchone()  # fmt: skip
            ids[key] = row[0]
    return ids


@pytest.fixture
def found(pantau, spelled):
    """Run `pantau search QUERY --format json` and return the hits' keys as a set."""
    by_id = {value: key for key, value in spelled.items()}

    def run(query: str) -> set[str]:
        result = pantau("search", query, "--format", "json", "--limit", "100")
        assert result.exit_code == 0, result.output
        return {by_id[hit["id"]] for hit in json.loads(result.stdout)}

    return run


def test_a_dangling_or_is_ignored(found):
    rudal = found("rudal")
    assert {"kn23", "kimjongun"} <= rudal
    assert found("rudal OR") == rudal
    assert found("OR rudal") == rudal
    assert found("rudal OR OR kharkiv") == found("rudal OR kharkiv")


def test_and_is_the_default(found):
    assert found("rudal AND balistik") == found("rudal balistik") == {"kn23"}
    assert found("rudal and kharkiv") == {"kn23"}


def test_common_words_are_left_out_of_a_query(found):
    assert found("rudal dan balistik yang") == found("rudal balistik")


def test_a_query_of_only_common_words_is_one_line_and_exit_2(pantau):
    result = pantau("search", "dan yang di")
    assert result.exit_code == 2
    assert "only common words (dan, yang, di)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize("query", ['"Kim Jong Un"', '"Kim Jong-un"', "Kim Jong-un", "kim jong un"])
def test_hyphenated_and_spaced_names_find_each_other(found, query):
    assert {"pakta", "kimjongun"} <= found(query)


@pytest.mark.parametrize("query", ['"Korea Utara"', "Korea-Utara", '"korea-utara"'])
def test_hyphenated_and_spaced_words_find_each_other(found, query):
    assert {"kn23", "pasokan", "kimjongun", "korea-utara"} <= found(query)


def test_an_excluded_hyphenated_word_excludes_both_spellings(found):
    assert not found("rudal -Korea-Utara") & {"kn23", "kimjongun"}


def test_a_hyphenated_code_stays_a_phrase(found):
    assert found("KN-23") == found('"KN 23"') == {"kn23"}


@pytest.mark.parametrize("walk_above", [0, 10**9])
def test_a_phrase_finds_the_same_stories_by_either_strategy(db, spelled, monkeypatch, walk_above):
    from pantau.storage import search as archive_search

    # 0: walk the date index testing the phrase; 10**9: the GIN index's candidates, phrase checked after.
    monkeypatch.setattr(archive_search, "WALK_ABOVE", walk_above)
    by_id = {value: key for key, value in spelled.items()}
    with db.connection() as conn:
        hits = archive_search.search(conn, archive_search.Filters(query='"Korea Utara" rudal'), limit=100)
        # "rudal" and both words of the phrase, but not adjacent: the GIN index alone would take it.
        apart = archive_search.search(conn, archive_search.Filters(query='"utara korea" rudal'), limit=100)
    assert {by_id[hit.id] for hit in hits} == {"kn23", "kimjongun"}
    assert apart == []


@pytest.mark.parametrize("window", [1, 2, 3])
def test_a_date_cutoff_leaves_the_hits_as_they_are(db, spelled, monkeypatch, window):
    from pantau.storage import search as archive_search

    with db.connection() as conn:
        conn.execute("ANALYZE article_search")  # the date histogram the cutoff is read from
    monkeypatch.setattr(archive_search, "WALK_ABOVE", 10**9)  # the GIN index's candidates
    monkeypatch.setattr(archive_search, "RANK_WINDOW", window)
    monkeypatch.setattr(archive_search, "CUTOFF_SHARE", 1.0)
    recent = archive_search._recent
    used: list[int] = []

    def counted(*args):
        found = recent(*args)
        used.extend(found or [])
        return found

    monkeypatch.setattr(archive_search, "_recent", counted)

    def pages(margin: float | None) -> list[list[int]]:
        monkeypatch.setattr(archive_search, "CUTOFF_MARGIN", margin)
        with db.connection() as conn:
            return [
                [
                    hit.id
                    for hit in archive_search.search(
                        conn, archive_search.Filters(query=query), limit=window, offset=offset
                    )
                ]
                for query in ("rusia", '"korea utara"', "rudal OR amunisi")
                for offset in (0, window)
            ]

    assert pages(0.5) == pages(None)
    assert used  # some page came from the stories since a cutoff


def test_the_most_a_phrase_or_topic_search_can_match_is_its_rarest_part(db, spelled):
    from pantau.storage import search as archive_search

    def estimate(conn, filters: archive_search.Filters) -> int:
        where, params = archive_search.where_clause(conn, filters)
        return archive_search._estimates(conn, where, params)[0]

    with db.connection() as conn:
        conn.execute("ANALYZE article_search")
        words = [estimate(conn, archive_search.Filters(query=w)) for w in ("korea", "utara", "rudal")]
        topic = estimate(conn, archive_search.Filters(topic="nk-russia-arms"))

        def most(query: str, topic: str | None = None) -> int:
            filters = archive_search.Filters(query=query, topic=topic)
            return archive_search._most_matches(conn, filters, archive_search.text_query(conn, query))

        assert most('"korea utara" rudal') == min(words)
        assert most("rudal", topic="nk-russia-arms") == min(words[2], topic)
        # An alternative or an exclusion is not bounded by one part: no bound is given.
        assert most('"korea utara" OR rudal') == 0
        assert most('"korea utara" -rudal') == 0
