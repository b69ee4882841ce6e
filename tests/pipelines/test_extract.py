"""extract_article's contract: which date wins, what is refused, and the Scrapy pipeline around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pantau.base.models import Article
from pantau.base.sites import load_site_data, site_names
from pantau.pipelines.extract import ExtractionError, ExtractPipeline, extract_article
from pantau.pipelines.metadata import compile_selector
from pantau.pipelines.rules import ExtractionRules
from tests.support.helpers import FILES

NOW = datetime(2026, 10, 10, tzinfo=UTC)
KOMPAS_URL = "https://www.kompas.com/global/read/2023/09/13/062311370/kim-jong-un-tiba-di-rusia"
PARAGRAPHS = "\n".join(
    f"<p>Kim Jong Un dan Vladimir Putin membahas kerja sama militer di Rusia, paragraf nomor {n}.</p>"
    for n in range(8)
)
FIXTURE = FILES / "extraction" / "kompas_page_all.html"


def kompas() -> ExtractionRules:
    return ExtractionRules.from_mapping(load_site_data("kompas"))


def page(
    head: str = "", time: str = "", body: str = PARAGRAPHS, title: str = "Kim Jong Un Tiba di Rusia"
) -> str:
    return (
        f"<html lang='id'><head><meta charset='utf-8'>{head}</head><body><h1 class='read__title'>{title}</h1>"
        f"<div class='read__time'>{time}</div><div class='read__content'>{body}</div></body></html>"
    )


@pytest.mark.parametrize("site", site_names())
def test_every_site_table_loads_and_its_selectors_compile(site):
    rules = ExtractionRules.from_mapping(load_site_data(site))
    assert rules.site == site
    assert rules.body
    assert rules.title
    assert rules.date_sources
    for spec in (*rules.title, *rules.body, *rules.drop, *rules.authors, *rules.visible_date, *rules.tags):
        compile_selector(spec)


def test_a_bad_selector_names_itself():
    with pytest.raises(ValueError, match=r"div\.\.broken"):
        compile_selector("div..broken")


JSONLD = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"%s"}</script>'
META_UTC = '<meta property="article:published_time" content="2023-09-12T23:23:00+00:00">'
META_NAIVE = '<meta name="content_PublishedDate" content="2023-09-13 06:23:11">'
VISIBLE = "Kompas.com - 13/09/2023, 06:23 WIB Diperbarui 13/09/2023, 09:00 WIB"


@pytest.mark.parametrize(
    ("head", "time", "source", "expected"),
    [
        (JSONLD % "2023-09-13T06:23:11+07:00" + META_UTC, VISIBLE, "jsonld", "2023-09-13T06:23:11+07:00"),
        (META_UTC + META_NAIVE, VISIBLE, "meta:article:published_time", "2023-09-13T06:23:00+07:00"),
        (META_NAIVE, VISIBLE, "meta:content_PublishedDate", "2023-09-13T06:23:11+07:00"),
        ("", VISIBLE, "visible", "2023-09-13T06:23:00+07:00"),
        ("", "", "url", "2023-09-13T06:23:00+07:00"),
        # a bare day never wins over a source that gives the minute
        (JSONLD % "2023-09-13", VISIBLE, "visible", "2023-09-13T06:23:00+07:00"),
        # broken JSON-LD is skipped, not fatal
        (
            '<script type="application/ld+json">{"@type": "NewsArticle",</script>',
            VISIBLE,
            "visible",
            "2023-09-13T06:23:00+07:00",
        ),
    ],
)
def test_date_sources_in_order(head, time, source, expected):
    found = extract_article(page(head, time), KOMPAS_URL, kompas(), now=NOW)
    assert (found.date_source, found.published_at.isoformat()) == (source, expected)


def test_a_date_far_in_the_future_is_refused_for_the_next_source():
    head = JSONLD % "2027-01-01T10:00:00+07:00"
    found = extract_article(page(head, VISIBLE), KOMPAS_URL, kompas(), now=NOW)
    assert found.date_source == "visible"
    nothing = extract_article(page(head), "https://www.kompas.com/global/x", kompas(), now=NOW)
    assert (nothing.published_at, nothing.date_source) == (None, None)


def test_now_defaults_to_the_clock():
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    found = extract_article(page(JSONLD % soon), "https://www.kompas.com/global/x", kompas())
    assert found.date_source == "jsonld"


def test_a_day_only_date_is_kept_when_nothing_better_exists():
    found = extract_article(page(JSONLD % "2023-09-13"), "https://www.kompas.com/global/x", kompas(), now=NOW)
    assert (found.date_source, found.published_at.isoformat()) == ("jsonld", "2023-09-13T00:00:00+07:00")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (page(body="<p>Terlalu pendek.</p>"), "body too short"),
        (page(title=""), "no title"),
        (
            "<html><head><title>Just a moment...</title></head><body>cf-chl</body></html>",
            "block or challenge",
        ),
        (
            "<html><body><script>window.awsWafCookieDomainList = []</script></body></html>",
            "block or challenge",
        ),
        ("", "not parseable"),
        ("<html>" + "<div>" * 10 + "x" * 5_000_001, "too large"),
    ],
)
def test_no_story_raises_extraction_error(html, reason):
    with pytest.raises(ExtractionError, match=reason) as caught:
        extract_article(html, KOMPAS_URL, kompas(), now=NOW)
    assert isinstance(caught.value, ValueError)


def test_without_a_matching_container_the_whole_page_is_used():
    nav = "<nav><a href='/'>Beranda</a></nav>"
    html = f"<html><body>{nav}<h1>Judul Berita</h1><main>{PARAGRAPHS}</main></body></html>"
    found = extract_article(html, "https://www.kompas.com/global/x", kompas(), now=NOW)
    assert found.title == "Judul Berita"
    assert "paragraf nomor 7" in found.text


def test_sections_outside_a_shared_wrapper_are_all_read():
    rules = ExtractionRules.from_mapping(load_site_data("detik"))
    sections = "".join(
        f"<section class='multi-card' data-page='{n}'><p>Bagian {n}: Kim Jong Un dan Vladimir Putin membahas "
        f"kerja sama militer dan pasokan amunisi untuk perang di Ukraina.</p></section>"
        for n in (1, 2, 3)
    )
    title = "<h1 class='detail__title'>Judul</h1>"
    html = f"<html><body><article class='detail'>{title}{sections}</article></body></html>"
    found = extract_article(html, "https://news.detik.com/internasional/d-1/x", rules, now=NOW)
    assert [line[:8] for line in found.text.splitlines()] == ["Bagian 1", "Bagian 2", "Bagian 3"]


def test_og_title_and_author_meta_are_fallbacks():
    html = (
        "<html><head><meta property='og:title' content='Putin Terima Undangan Kim - Kompas.com'>"
        "<meta name='content_author' content='Aditya Jaya Iswara'></head>"
        f"<body><article>{PARAGRAPHS}</article></body></html>"
    )
    found = extract_article(html, "https://www.kompas.com/global/x", kompas(), now=NOW)
    assert found.title == "Putin Terima Undangan Kim"
    assert found.authors == ["Aditya Jaya Iswara"]


def article(html: str, site: str = "kompas", url: str = KOMPAS_URL) -> Article:
    return Article(site=site, url=url, canonical_url=url, site_article_id="1", html=html,
                   fetched_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


class Spider:
    name = "kompas"
    extraction_rules = ExtractionRules.from_mapping(load_site_data("kompas"))


def test_pipeline_fills_the_item_from_the_spiders_rules():
    crawler = get_crawler()
    pipeline = ExtractPipeline.from_crawler(crawler)
    item = pipeline.process_item(article(FIXTURE.read_text(encoding="utf-8")), Spider())
    assert item.title.startswith("Kim Jong Un Disebut Akan Bertemu Putin")
    assert item.authors == ["Irawan Sapto Adhi"]
    assert item.published_at == datetime(2023, 9, 4, 23, 45, tzinfo=UTC)
    assert item.date_source == "jsonld"
    assert item.section == "Global"
    assert "Resolusi ini turut disahkan oleh Rusia." in item.text
    assert crawler.stats.get_value("pantau/extraction_failed") is None


def test_pipeline_uses_the_sites_rules_when_the_spider_has_none():
    item = ExtractPipeline().process_item(article(page(time=VISIBLE)))
    assert item.date_source == "visible"


def test_pipeline_drops_a_page_without_a_story_and_counts_it():
    crawler = get_crawler()
    pipeline = ExtractPipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=rf"extraction failed for {KOMPAS_URL}: body too short"):
        pipeline.process_item(article(page(body="<p>Pendek.</p>")), Spider())
    with pytest.raises(DropItem, match="block or challenge"):
        pipeline.process_item(article("<html><title>Just a moment...</title></html>"), Spider())
    assert crawler.stats.get_value("pantau/extraction_failed") == 2
