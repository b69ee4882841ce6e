"""Language detection: seeded langdetect, the page's declared language as fallback, never an exception."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scrapy.utils.test import get_crawler

from pantau.base.models import Article
from pantau.base.settings import load_settings
from pantau.pipelines.language import LanguagePipeline, detect_language, html_lang

INDONESIAN = (
    "Pemerintah Amerika Serikat khawatir jika Korea Utara berencana mengirimkan lebih banyak pasokan "
    "senjata untuk Rusia. Hal itu disampaikan setelah pemimpin Korut Kim Jong Un melontarkan janji untuk "
    "meningkatkan kerja sama strategis dengan Moskow."
)
ENGLISH = (
    "The United States is concerned that North Korea plans to send more weapons to Russia, after leader Kim "
    "Jong Un pledged closer strategic cooperation with Moscow in a message to President Vladimir Putin."
)
# Mixed and borderline texts: where an unseeded detector flips between runs.
MIXED = "Kim Jong Un bertemu Putin. The summit was in Vladivostok, kata pejabat Korea Selatan, officials say."


def test_indonesian_and_english():
    assert detect_language(INDONESIAN)[0] == "id"
    assert detect_language(ENGLISH)[0] == "en"


def test_probability_is_stored():
    language, probability = detect_language(INDONESIAN)
    assert language == "id"
    assert probability is not None
    assert 0.9 < probability <= 1.0


@pytest.mark.parametrize("text", [MIXED, INDONESIAN[:80], ENGLISH])
def test_same_text_same_answer_every_time(text):
    answers = {detect_language(text) for _ in range(25)}
    assert len(answers) == 1


def test_same_answer_in_fresh_processes():
    code = f"from pantau.pipelines.language import detect_language; print(detect_language({MIXED!r}))"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert len(outputs) == 1
    assert outputs == {f"{detect_language(MIXED)}\n"}


@pytest.mark.parametrize(
    "text", ["", "   ", "12345 67890 2023", "Kim Jong Un", "!!! ??? ...", "\u200b" * 300]
)
def test_short_or_featureless_text_gives_the_fallback(text):
    assert detect_language(text) == (None, None)
    assert detect_language(text, fallback="id-ID") == ("id", None)


def test_html_lang():
    assert html_lang('<!DOCTYPE html>\n<html lang="id-ID" class="x">') == "id-ID"
    assert html_lang("<html class='x' lang='en'>") == "en"
    assert html_lang("<html><body>") is None
    assert html_lang("no markup") is None


def article(text: str, html: str = '<html lang="id"><body></body></html>') -> Article:
    from datetime import UTC, datetime

    return Article(
        site="detik",
        url="https://news.detik.com/internasional/d-1/x",
        canonical_url="https://news.detik.com/internasional/d-1/x",
        site_article_id="1",
        html=html,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        text=text,
    )


def test_pipeline_keeps_a_story_in_another_language_but_marks_it():
    pipeline = LanguagePipeline()
    kept = pipeline.process_item(article(ENGLISH))
    assert (kept.language, kept.extra["language_accepted"]) == ("en", False)
    assert kept.language_prob is not None
    accepted = pipeline.process_item(article(INDONESIAN))
    assert (accepted.language, accepted.extra["language_accepted"]) == ("id", True)


def test_pipeline_falls_back_to_the_page_language():
    item = LanguagePipeline().process_item(article("", html='<html lang="id-ID"><body></body></html>'))
    assert (item.language, item.language_prob) == ("id", None)


def test_pipeline_reads_accepted_languages_from_pantau_settings(tmp_path):
    settings = load_settings(None, data_dir=tmp_path, languages=["en"])
    pipeline = LanguagePipeline.from_crawler(get_crawler(settings_dict={"PANTAU_SETTINGS": settings}))
    assert pipeline.accepted == ["en"]
    assert pipeline.process_item(article(ENGLISH)).extra["language_accepted"] is True
    default = LanguagePipeline.from_crawler(get_crawler())
    assert default.accepted == ["id"]
