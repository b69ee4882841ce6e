"""Topic scoring: loading topic files, what counts as the story's subject, and the pipeline."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from pantau.base.errors import ConfigError
from pantau.base.models import Article, TopicScore
from pantau.base.settings import PACKAGE_TOPICS_DIR, load_settings
from pantau.pipelines.relevance import RelevancePipeline
from pantau.pipelines.topics import Topic, load_topic, load_topics

NEUTRAL_TITLE = "Perkembangan Terbaru Hari Ini"
FILLER = [
    "Cuaca di ibu kota cerah sepanjang hari.",
    "Harga cabai di pasar tradisional naik sedikit.",
    "Warga memadati taman kota pada sore hari.",
    "Lalu lintas di jalan utama lancar.",
    "Pemerintah daerah meresmikan taman baru.",
]
ON_TOPIC_SENTENCE = "Korea Utara mengirim ribuan peluru artileri ke Rusia bulan lalu."


@pytest.fixture(scope="module")
def topic() -> Topic:
    return load_topics(PACKAGE_TOPICS_DIR)[0]


def body(*sentences: str) -> str:
    return "\n".join(sentences)


# --- the shipped topic ---------------------------------------------------------------------------


def test_the_default_topic_is_shipped(topic):
    assert [t.name for t in load_topics(PACKAGE_TOPICS_DIR)] == ["nk-russia-arms"]
    assert topic.title == "Korea Utara–Rusia"
    assert topic.threshold > 0


def test_a_clear_story_is_on_topic_and_explained(topic):
    result = topic.score(
        "Korut Kirim Jutaan Peluru ke Rusia",
        body(
            "Intelijen Korea Selatan menyebut Korea Utara mengirim jutaan peluru artileri ke Rusia.", *FILLER
        ),
    )
    assert isinstance(result, TopicScore)
    assert result.on_topic
    assert result.score >= topic.threshold
    # human-readable terms as written in the topic file, title terms first, no duplicates
    assert set(result.matched_terms[:3]) == {"Korut", "peluru", "Rusia"}
    assert "Korea Utara" in result.matched_terms
    assert len(result.matched_terms) == len(set(result.matched_terms))


def test_unrelated_story_scores_zero(topic):
    result = topic.score("Harga Cabai Naik", body(*FILLER))
    assert result == TopicScore(score=0.0, on_topic=False, matched_terms=[], fingerprint=topic.fingerprint)


def test_title_weighs_more_than_the_body(topic):
    in_title = topic.score("Korea Utara Kirim Peluru Artileri ke Rusia", body(*FILLER))
    late_in_body = topic.score(NEUTRAL_TITLE, body(*FILLER, ON_TOPIC_SENTENCE))
    assert in_title.score > late_in_body.score
    assert in_title.on_topic


def test_the_lead_weighs_more_than_the_end(topic):
    lead = topic.score(NEUTRAL_TITLE, body(ON_TOPIC_SENTENCE, *FILLER))
    end = topic.score(NEUTRAL_TITLE, body(*FILLER, ON_TOPIC_SENTENCE))
    assert lead.score > end.score
    assert lead.on_topic


def test_the_three_groups_must_meet_in_nearby_sentences(topic):
    apart = body(
        "Korea Utara kembali menggelar parade besar di ibu kotanya.",
        *FILLER,
        "Di tempat lain, Rusia mengumumkan anggaran baru.",
        *FILLER,
        "Pabrik di Eropa menambah produksi amunisi.",
    )
    together = body("Korea Utara menjual amunisi kepada Rusia.", *FILLER)
    assert topic.score(NEUTRAL_TITLE, apart).score == 0
    assert topic.score(NEUTRAL_TITLE, together).on_topic


def test_a_passing_mention_at_the_end_is_not_the_subject(topic):
    missile_test = body(
        "Korea Utara menembakkan rudal balistik ke arah Laut Jepang pada Senin pagi.",
        "Militer Korea Selatan menyebut rudal itu terbang sejauh 600 kilometer.",
        "Jepang memprotes peluncuran tersebut.",
        "Para analis menilai uji coba itu ditujukan kepada Washington.",
        "Amerika Serikat meminta Pyongyang kembali berunding.",
        "Sebelumnya, Korea Utara juga dituduh mengirim pasukan ke Rusia.",
    )
    result = topic.score("Korea Utara Uji Rudal ke Laut Jepang", missile_test)
    assert not result.on_topic
    assert result.score > 0  # the mention is seen, it just does not make the story


@pytest.mark.parametrize(
    "marker",
    [
        "Baca juga: Korut Kirim Rudal ke Rusia, Ini Kata Pentagon",
        "BACA JUGA : Korut Kirim Rudal ke Rusia, Ini Kata Pentagon",
        "Simak juga: Korut Kirim Rudal ke Rusia",
        "Lihat Juga: Korut Kirim Rudal ke Rusia",
        "Berita terkait: Korut Kirim Rudal ke Rusia",
        "• Korut Kirim Rudal ke Rusia",
    ],
)
def test_related_article_links_are_not_the_story(topic, marker):
    tourism = [
        "Rombongan wisatawan Rusia tiba di Pyongyang untuk tur lima hari.",
        marker,
        "Mereka mengunjungi resor ski dan menonton pertunjukan sirkus di Korea Utara.",
    ]
    with_link = topic.score("Turis Rusia Berlibur ke Korea Utara", body(*tourism))
    assert with_link.score == 0
    assert "rudal" not in with_link.matched_terms
    # the same words as a sentence of the story itself do count
    as_story = topic.score(NEUTRAL_TITLE, body(tourism[0], "Korut kirim rudal ke Rusia, kata Pentagon."))
    assert as_story.score > 0


def test_a_link_glued_inside_a_paragraph_is_cut_to_the_end_of_the_line(topic):
    text = "Turis Rusia menikmati Pyongyang. Baca juga: Korut Kirim Rudal ke Rusia\nMereka pulang esok hari."
    assert topic.score(NEUTRAL_TITLE, text).score == 0


def test_advertisement_lines_are_ignored(topic):
    text = body("Wisatawan Rusia tiba di Pyongyang.", "ADVERTISEMENT rudal senjata", "Mereka senang.")
    assert topic.score(NEUTRAL_TITLE, text).score == 0


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("Korea Utara memasok persenjataan ke Rusia.", "senjata"),
        ("Rusia memakai senjatanya dari Korea Utara.", "senjata"),
        ("Rudal-rudal buatan Korea Utara ditembakkan Rusia.", "rudal"),
        ("Korea Utara mengirim pasukannya ke Rusia.", "pasukan"),
        ("Kelompok bersenjata Korea Utara dilatih Rusia.", "senjata"),
        ("Korea Utara dan Rusia meneken kerjasama militer.", "kerja sama militer"),
        ("Korea Utara dan Rusia meneken kerja-sama militer.", "kerja sama militer"),
        ("Rusia menembakkan KN23 dari Korea Utara.", "KN-23"),
        ("Rusia menembakkan KN 23 dari Korea Utara.", "KN-23"),
    ],
)
def test_affixed_and_respelled_arms_terms(topic, sentence, term):
    result = topic.score(NEUTRAL_TITLE, sentence)
    assert result.on_topic, result
    assert term in result.matched_terms


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Kim Jong-un menjual peluru kepada Moskow.", "Kim Jong Un"),
        ("KIM JONG UN menjual peluru kepada Moskwa.", "Kim Jong Un"),
        ("Kim Jong Un menjual peluru kepada Kremlin.", "Kim Jong Un"),
        ("Korut menjual peluru kepada Putin.", "Korut"),
        ("DPRK menjual peluru kepada Moscow.", "DPRK"),
    ],
)
def test_spelling_variants_of_names(topic, text, term):
    result = topic.score(NEUTRAL_TITLE, text)
    assert result.on_topic
    assert term in result.matched_terms


@pytest.mark.parametrize(
    "text",
    [
        "Ilmu kimia Rusia memakai peluruhan unsur.",  # kimia is not Kim; peluruhan is not peluru
        "Perusahaan Rusiana di Korea Utara menjual pelurus rambut.",
    ],
)
def test_terms_match_whole_words_only(topic, text):
    assert topic.score(NEUTRAL_TITLE, text).score == 0


def test_a_speaker_before_the_headline_colon_is_not_the_subject(topic):
    story = body("Korea Utara menyiapkan uji rudal baru.", *FILLER)
    quoted = topic.score("Rusia: Korea Utara Siapkan Uji Rudal", story)
    subject = topic.score("Rusia dan Korea Utara Bahas Rudal", story)
    assert quoted.score < subject.score


def test_other_subjects_lower_thin_evidence_only(topic):
    thin = body(*FILLER, "Korea Utara dan Rusia juga membahas pasukan.")
    with_tourism = body(*FILLER, "Korea Utara dan Rusia juga membahas pasukan.", "Turis menikmati festival.")
    assert topic.score(NEUTRAL_TITLE, with_tourism).score < topic.score(NEUTRAL_TITLE, thin).score
    strong = body(
        ON_TOPIC_SENTENCE, "Rusia memakai peluru dari Korea Utara itu.", "Turis menikmati festival."
    )
    title = "Korut Kirim Peluru ke Rusia"
    assert topic.score(title, strong).score == topic.score(title, strong.replace("Turis", "Warga")).score


def test_highlight_patterns_find_matched_terms_in_text(topic):
    result = topic.score("Korut Pasok Persenjataan ke Rusia", "Korea Utara memasok rudal-rudal ke Moskow.")
    patterns = topic.highlight_patterns(result.matched_terms)
    snippet = "Korut memasok persenjataan dan rudal-rudal ke Moskow."
    found = {m.group(0) for p in patterns for m in p.finditer(snippet)}
    assert {"Korut", "persenjataan", "rudal-rudal", "Moskow"} <= found
    assert all(p.search("kimia peluruhan") is None for p in topic.highlight_patterns())


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("", ""),
        ("\x00\x01\x1b", "\x00\u202e\ufffd\r\n\t\x0b\x0c"),
        ("Korea Utara: ", "Baca juga:"),
        (":::", "....!!!???"),
        ("x" * 5000, "Korea Utara " * 50_000 + "Rusia rudal"),
        ("ẞ İ ǅ", "İstanbul ẞtraße Rusia Korut rudal"),
    ],
)
def test_scoring_never_raises_on_odd_text(topic, title, text):
    # How long the 600 kB text takes is measured by bench/topics.py (a runaway pattern would show there
    # and hit the test timeout here).
    result = topic.score(title, text)
    assert isinstance(result.score, float)
    assert result.score >= 0


def test_scoring_is_deterministic(topic):
    text = body(ON_TOPIC_SENTENCE, "Kim Jong Un dan Putin membahas kerja sama militer.", *FILLER)
    first = topic.score("Korut-Rusia", text)
    again = load_topics(PACKAGE_TOPICS_DIR)[0].score("Korut-Rusia", text)
    assert first == again == topic.score("Korut-Rusia", text)


# --- topic files ---------------------------------------------------------------------------------

MINIMAL = """
name = "{name}"
title = "Sawit"
threshold = 2.0

[[groups]]
name = "palm"
terms = ["sawit", "CPO"]
"""


def write_topic(folder: Path, name: str, content: str | None = None) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(MINIMAL.format(name=name) if content is None else content, encoding="utf-8")
    return path


def test_several_topics_coexist(tmp_path):
    shutil.copy(PACKAGE_TOPICS_DIR / "nk-russia-arms.toml", tmp_path)
    write_topic(tmp_path, "palm-oil")
    topics = load_topics(tmp_path)
    assert [t.name for t in topics] == ["nk-russia-arms", "palm-oil"]
    palm = topics[1].score("Ekspor CPO naik", "Harga sawit naik. Petani sawit senang.")
    assert palm.on_topic
    assert palm.matched_terms == ["CPO", "sawit"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name = ", "is not valid TOML"),
        ("colour = 'red'\n" + MINIMAL.format(name="bad"), "unknown key 'colour'"),
        (MINIMAL.format(name="bad") + "colour = 'red'\n", "unknown key 'groups.0.colour'"),
        (MINIMAL.format(name="bad").replace("threshold = 2.0", ""), "'threshold'"),
        (MINIMAL.format(name="bad").replace("threshold = 2.0", "threshold = -1"), "'threshold'"),
        (MINIMAL.format(name="bad").replace('["sawit", "CPO"]', '["sawit", "--"]'), "'groups.0.terms'"),
        (MINIMAL.format(name="bad").replace('["sawit", "CPO"]', "[]"), "'groups.0.terms'"),
        (MINIMAL.format(name="bad") + "[scoring]\nwindow = 0\n", "'scoring.window'"),
        (MINIMAL.format(name="bad").replace('name = "palm"', 'name = "p"\nrole = "context"'), "'groups'"),
        (MINIMAL.format(name="other"), "'name' is 'other' but must equal the file name 'bad'"),
        (MINIMAL.format(name="bad") + "[scoring]\nrelation = ['palm', 'oil']\n", "['oil'], which are not"),
    ],
)
def test_a_bad_topic_file_names_the_file_and_the_key(tmp_path, content, expected):
    path = write_topic(tmp_path, "bad", content)
    with pytest.raises(ConfigError) as caught:
        load_topics(tmp_path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_an_undecodable_topic_file_is_reported(tmp_path):
    (tmp_path / "latin.toml").write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ConfigError, match=r"latin\.toml"):
        load_topic(tmp_path / "latin.toml")


def test_a_missing_or_empty_topics_dir_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="is not a folder"):
        load_topics(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="holds no topic files"):
        load_topics(tmp_path)


# --- the pipeline --------------------------------------------------------------------------------


def build_article(number: int, title: str, text: str) -> Article:
    url = f"https://news.detik.com/internasional/d-{number}/berita"
    fetched = datetime(2024, 6, 20, 3, 0, tzinfo=UTC)
    return Article("detik", url, url, str(number), "<html></html>", fetched, title=title, text=text)


def test_pipeline_scores_every_topic_and_keeps_every_item(tmp_path):
    shutil.copy(PACKAGE_TOPICS_DIR / "nk-russia-arms.toml", tmp_path)
    write_topic(tmp_path, "palm-oil")
    settings = load_settings(None, data_dir=tmp_path / "data", topics_dir=tmp_path)
    crawler = get_crawler(settings_dict={"PANTAU_SETTINGS": settings})
    pipeline = RelevancePipeline.from_crawler(crawler)

    on = build_article(1, title="Korut Kirim Peluru ke Rusia", text=ON_TOPIC_SENTENCE)
    off = build_article(2, title="Harga Sawit Naik", text="Petani sawit menikmati harga CPO yang tinggi.")
    assert pipeline.process_item(on) is on
    assert pipeline.process_item(off) is off

    assert set(on.topics) == set(off.topics) == {"nk-russia-arms", "palm-oil"}
    assert on.topics["nk-russia-arms"].on_topic
    assert not on.topics["palm-oil"].on_topic
    assert not off.topics["nk-russia-arms"].on_topic
    assert off.topics["palm-oil"].on_topic
    assert crawler.stats.get_value("pantau/on_topic") == 2


def test_pipeline_without_settings_uses_the_packaged_topics():
    crawler = get_crawler(settings_dict={"PANTAU_SETTINGS": None})
    pipeline = RelevancePipeline.from_crawler(crawler)
    item = pipeline.process_item(build_article(3, title="Harga Cabai Naik", text=FILLER[1]))
    shipped = pipeline.topics[0].fingerprint
    assert item.topics == {
        "nk-russia-arms": TopicScore(score=0.0, on_topic=False, matched_terms=[], fingerprint=shipped)
    }
    assert crawler.stats.get_value("pantau/on_topic") is None
