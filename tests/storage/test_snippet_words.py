"""The search snippets' word lookup: which words of a page are sent to PostgreSQL's stemmer."""

from __future__ import annotations

import re

import psycopg

from pantau.storage.snippets import could_stem_to, search_matcher
from tests.storage import story_texts

# Affixed forms whose first letter the stemmer re-codes or whose affixes it removes.
AFFIXED = (
    "menyerang penyerangan memukul pemukulan menembak penembakan mengirim pengiriman persenjataan"
    " mempersenjatai bersenjata senjatanya diserang terserang keamanan pertahanan pelajaran"
    " memperkuat diperkuat kekuatan menyatakan pernyataan menyampaikan penyampaian"
    " Rudal balistik diluncurkan; peluncuran rudal-rudal itu dikecam."
)


def _words(*texts: str) -> list[str]:
    return sorted({w.casefold() for text in texts for w in re.findall(r"\w+", text)})


def _stems(conn: psycopg.Connection, words: list[str]) -> dict[str, set[str]]:
    rows = conn.execute(
        "SELECT w, tsvector_to_array(to_tsvector('indonesian', w)) FROM unnest(%s::text[]) AS w", (words,)
    ).fetchall()
    return {word: set(found) for word, found in rows}


def test_every_stem_without_its_first_letter_lies_inside_its_word(conn):
    texts = [value for value in vars(story_texts).values() if isinstance(value, str)]
    stems = _stems(conn, _words(AFFIXED, *texts))
    assert len(stems) > 300
    assert "serang" in stems["menyerang"]  # a re-coded first letter
    assert all(could_stem_to(word, [stem]) for word, found in stems.items() for stem in found)


def test_the_words_marked_are_exactly_those_whose_stem_the_query_holds(conn):
    stems = _stems(conn, _words(AFFIXED))
    for query in ("serang", "senjata", "kuat", "luncur", "rudal", "pernyataan"):
        matcher = search_matcher(conn, query, [AFFIXED])
        assert matcher is not None, query
        wanted = next(iter(_stems(conn, [query]).values()))
        matching = {word for word, found in stems.items() if found & wanted}
        # A hyphenated word is marked whole when one of its parts matches (rudal-rudal).
        expected = {
            w.casefold()
            for w in re.findall(r"\w+(?:-\w+)*", AFFIXED)
            if matching & set(w.casefold().split("-"))
        }
        assert expected, query
        assert {AFFIXED[a:b].casefold() for a, b in matcher(AFFIXED)} == expected, query
