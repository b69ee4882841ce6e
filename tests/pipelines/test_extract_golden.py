"""Golden pages: each tests/files/extraction/<name>.html against <name>.json (key phrases in, clutter out)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pantau.base.sites import load_site_data
from pantau.pipelines.extract import extract_article
from pantau.pipelines.language import detect_language, html_lang
from pantau.pipelines.rules import ExtractionRules
from tests.support.helpers import FILES

FILES = FILES / "extraction"
CASES = sorted(p.stem for p in FILES.glob("*.json"))
NOW = datetime(2026, 10, 10, tzinfo=UTC)


def _read(name: str) -> str:
    return (FILES / name).read_bytes().decode("utf-8", errors="replace")


def _run(name: str) -> tuple[dict, object]:
    case = json.loads((FILES / f"{name}.json").read_text(encoding="utf-8"))
    rules = ExtractionRules.from_mapping(load_site_data(case["site"]))
    extra = [_read(p) for p in case.get("extra_pages", [])]
    return case, extract_article(_read(f"{name}.html"), case["url"], rules, extra, now=NOW)


def test_every_site_has_a_current_template_fixture():
    assert {name.split("_")[0] for name in CASES} == {"okezone", "detik", "bisnis", "kompas"}
    assert len(CASES) >= 7


@pytest.mark.parametrize("name", CASES)
def test_metadata_is_exact(name):
    case, found = _run(name)
    assert found.title == case["title"]
    assert found.published_at is not None
    assert found.published_at.isoformat() == case["published_at"]
    assert found.date_source == case["date_source"]
    for key in ("authors", "section", "tags", "lead"):
        if key in case:
            assert getattr(found, key) == case[key], key


@pytest.mark.parametrize("name", CASES)
def test_text_keeps_the_story_and_drops_the_clutter(name):
    case, found = _run(name)
    text = found.text
    if "starts_with" in case:
        assert text.startswith(case["starts_with"])
    if "ends_with" in case:
        assert text.endswith(case["ends_with"])
    for sentence in case["must_contain"]:
        assert sentence in text
    for clutter in case["must_not_contain"]:
        assert clutter not in text, clutter
    assert "\n\n" not in text


@pytest.mark.parametrize("name", CASES)
def test_language_is_indonesian(name):
    case, found = _run(name)
    language, probability = detect_language(found.text, html_lang(_read(f"{name}.html")))
    assert language == case["language"]
    assert probability is not None
    assert probability > 0.9


def test_detik_reads_every_multi_card_section():
    _, found = _run("detik_multicard")
    first = found.text.index("Berpegangan tangan erat dengan Presiden Rusia")  # section 1
    last = found.text.index("seorang pria Slovakia")  # section 2, hidden until the reader pages
    assert first < last


def test_bisnis_page_two_follows_page_one_in_order():
    case, found = _run("bisnis_two_pages")
    page_one = found.text.index("Dilansir dari The Korean Herald")
    page_two = found.text.index("Diplomat AS tersebut juga menyatakan keprihatinan")
    assert page_one < page_two
    rules = ExtractionRules.from_mapping(load_site_data("bisnis"))
    alone = extract_article(_read("bisnis_two_pages.html"), case["url"], rules, now=NOW)
    assert "Diplomat AS tersebut" not in alone.text
    assert len(alone.text) < len(found.text)
