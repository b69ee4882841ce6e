"""The one snippet builder: whole sentences by matched terms, whole-word highlights, no repeats."""

from __future__ import annotations

import pytest

from pantau.base import snippets
from pantau.base.snippets import build, from_marked, story_lead, term_matcher, word_matcher
from tests.storage import story_texts as t

BODY = t.WIRE_PACT
TERMS = ["senjata", "Korea Utara", "Putin", "rudal", "Moskow"]


def test_a_description_the_site_cut_mid_word_ends_on_a_whole_word():
    lead = "Putin dan Kim meneken pakta yang memuat bantuan militer serta bantuan Mosk"
    assert story_lead(lead, BODY) == "Putin dan Kim meneken pakta yang memuat bantuan militer serta bantuan…"


def test_a_description_that_is_the_bodys_opening_is_no_lead():
    opening = BODY.split("\n")[0]
    assert story_lead(opening, BODY) is None
    assert story_lead(opening[:150], BODY) is None  # cut by the site: still the opening
    assert story_lead(opening[:150] + "...", BODY) is None


def test_a_real_standfirst_stays_and_only_its_repeated_sentence_goes():
    first = BODY.split("\n")[1]
    lead = f"Rusia dan Korut kini sekutu resmi. {first}"
    assert story_lead(lead, BODY) == "Rusia dan Korut kini sekutu resmi."


def test_highlights_cover_whole_words_in_text_and_html():
    body = "Korut memasok persenjataan dan rudal-rudal ke Moskow. Mereka mempersenjatai sekutu."
    snippet = build(None, body, term_matcher(["senjata", "rudal", "Moskow", "Korut"]))
    assert snippet.starred() == (
        "*Korut* memasok *persenjataan* dan *rudal-rudal* ke *Moskow*. Mereka *mempersenjatai* sekutu."
    )
    assert "<mark>persenjataan</mark>" in snippet.html()
    assert "per<mark>" not in snippet.html()


def test_sentences_with_most_terms_are_chosen_whole_with_an_ellipsis_between():
    snippet = build(None, BODY, term_matcher(["rudal", "peluru", "Miller"]))
    text = snippet.plain()
    assert "peluru artileri dan rudal balistik" in text
    assert 120 <= len(text) <= snippets.MAX_CHARS
    for part in text.split(" … "):
        assert part in " ".join(BODY.split())  # whole sentences of the body, nothing invented
        assert part.rstrip()[-1] in '.!?"'


def test_no_passage_twice_even_when_the_lead_repeats_the_body():
    opening = BODY.split("\n")[0]
    snippet = build(opening, BODY, term_matcher(TERMS)).plain()
    assert snippet.count("menandatangani perjanjian kemitraan") == 1


def test_about_250_to_300_characters_without_a_cut_word():
    for terms in (TERMS, ["Miller"], []):
        text = build(None, BODY, term_matcher(terms)).plain()
        assert len(text) <= snippets.MAX_CHARS
        words = set(" ".join(BODY.split()).replace("…", " ").split())
        assert all(w.strip("…") in words or not w.strip("…") for w in text.split())


def test_a_sentence_longer_than_the_snippet_is_cut_at_words_around_the_match():
    long = " ".join(["Menurut pernyataan kantor kepresidenan Korea Selatan itu,"] * 6) + " senjata dikirim."
    text = build(None, long, term_matcher(["senjata"])).plain()
    assert text.startswith("…")
    assert text.endswith("senjata dikirim.")
    assert len(text) <= snippets.MAX_CHARS


def test_search_words_and_marked_round_trip():
    snippet = build(None, "Senjata <b>baru</b> & rudal.", word_matcher({"senjata", "rudal"}))
    again = from_marked(snippet.marked())
    assert again == snippet
    assert again.html() == "<mark>Senjata</mark> &lt;b&gt;baru&lt;/b&gt; &amp; <mark>rudal</mark>."
    assert "[bold]Senjata[/bold]" in again.markup()


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_an_empty_story_has_an_empty_snippet(text):
    assert build(None, text, term_matcher(TERMS)).plain() == ""


def test_a_body_line_that_repeats_the_title_or_is_a_photo_caption_is_left_out():
    title = "Update Perang Rusia Ukraina: AS Ancam Korea Utara jika Kirim Senjata ke Rusia"
    body = "\n".join(
        [
            "<i>Update</i> Perang Rusia Ukraina: AS Ancam Korea Utara jika Kirim Senjata ke Rusia",
            "AS peringatkan Pemimpin Korut agar tidak pasok senjata ke Rusia (Foto: Reuters)",
            "Pemimpin Korut Kim Jong Un saat bertemu Presiden Rusia (dok. Reuters)",
            "Amerika Serikat memperingatkan Korea Utara agar tidak memasok senjata ke Rusia.",
        ]
    )
    text = build(None, body, term_matcher([*TERMS, "Rusia", "Korut"]), title=title).plain()
    assert text == "Amerika Serikat memperingatkan Korea Utara agar tidak memasok senjata ke Rusia."
