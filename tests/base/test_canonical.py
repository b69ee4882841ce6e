"""The canonicaliser: every variant of a story's URL gives one canonical URL and the site's id."""

from __future__ import annotations

import pytest

from pantau.base.canonical import canonicalize, page_number, single_page_url

OKEZONE = "https://news.okezone.com/read/2023/09/06/18/2878128/update-perang-rusia-ukraina"
DETIK = "https://news.detik.com/internasional/d-6942037/mesranya-putin-sambut-kim-jong-un"
BISNIS = "https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia-bakal-menang"
KOMPAS = "https://www.kompas.com/global/read/2023/09/13/062311370/kim-jong-un-tiba-di-rusia"

VARIANTS = [
    (
        OKEZONE,
        "okezone",
        "2878128",
        [
            OKEZONE,
            OKEZONE + "?page=1",
            OKEZONE + "?page=all",
            OKEZONE + "/",
            OKEZONE.replace("https:", "http:"),
            OKEZONE.replace("/read/", "/amp/"),
            OKEZONE + "?utm_source=fb&utm_medium=x#top",
            OKEZONE.replace("news.okezone.com", "NEWS.Okezone.com"),
        ],
    ),
    (
        DETIK,
        "detik",
        "6942037",
        [
            DETIK,
            DETIK + "?single=1",
            DETIK + "?tag_from=wp_cb_mostPopular_list&_ga=2.1",
            DETIK + "?device=desktop",
            "https://m.detik.com/news/internasional/d-6942037/mesranya-putin-sambut-kim-jong-un",
            DETIK + "/",
        ],
    ),
    (
        BISNIS,
        "bisnis",
        "1694663",
        [
            BISNIS,
            BISNIS + "/2",
            BISNIS + "/3/",
            BISNIS + "#goog_rewarded",
            BISNIS + "?utm_source=x",
            "https://m.bisnis.com/kabar24/read/20230913/19/1694663/kim-jong-un-sebut-rusia-bakal-menang",
        ],
    ),
    (
        KOMPAS,
        "kompas",
        "20230913-062311370",
        [
            KOMPAS,
            KOMPAS + "?page=all",
            KOMPAS + "?page=2",
            KOMPAS + "?source=widget&jxrecoid=abc",
            KOMPAS.replace("www.kompas.com", "amp.kompas.com"),
            KOMPAS.replace("/read/", "/copy/"),
            KOMPAS.replace("https:", "http:") + "?utm_campaign=x",
        ],
    ),
]


@pytest.mark.parametrize(
    ("canonical", "site", "article_id", "variants"), VARIANTS, ids=[v[1] for v in VARIANTS]
)
def test_variants_collapse_to_one_canonical_url_and_id(canonical, site, article_id, variants):
    for url in variants:
        result = canonicalize(url)
        assert result is not None, url
        assert (result.url, result.site, result.article_id) == (canonical, site, article_id), url
        assert canonicalize(result.url) == result  # idempotent


NOT_ARTICLES = [
    "https://www.okezone.com/tag/korea-utara",
    "https://news.okezone.com/indeks",
    "https://www.okezone.com/video/2026/01/01/1/1/video",
    "https://search.okezone.com/loaddata/article/korea/1",
    "https://20.detik.com/detikupdate/20260101-260101001/video-korut",
    "https://news.detik.com/foto-news/d-7399141/putin-kim-jong-un-sepakat/8",
    "https://news.detik.com/foto-news/d-7399141/putin-kim-jong-un-sepakat",
    "https://www.detik.com/tag/korea-utara/?sortby=time",
    "https://news.detik.com/suara-pembaca/d-7000000/surat-pembaca",
    "https://health.detik.com/infografis/d-8652432/infografis",
    "https://www.detik.com/search/searchall?query=korea",
    "https://news.detik.com/berita/2943745/legacy-no-d-prefix",
    "https://video.bisnis.com/read/20260101/1/100/video",
    "https://www.bisnis.com/index?categoryId=186&type=indeks",
    "https://www.bisnis.com/topic/44797/Donald-Trump",
    "https://video.kompas.com/watch/1/korut",
    "https://www.kompas.tv/internasional/449994/korut",
    "https://www.kompas.id/baca/internasional/2026/01/01/korut",
    "https://indeks.kompas.com/?site=global",
    "https://www.kompas.com/tag/korea-utara",
    "https://biz.kompas.com/read/2026/01/01/100000000/advertorial",
    "https://www.kompas.com/jeo/read/2026/01/01/100000000/interaktif",
    "https://example.com/read/2023/09/06/18/2878128/x",
    "ftp://news.okezone.com/read/2023/09/06/18/2878128/x",
    "not a url",
    "",
]


@pytest.mark.parametrize("url", NOT_ARTICLES)
def test_non_articles_and_other_outlets_are_rejected(url):
    assert canonicalize(url) is None


def test_article_url_patterns_accept_the_real_urls_of_sites_md():
    real = [
        "https://news.okezone.com/read/2024/06/19/18/3023054/gelar-karpet-maret-putin-tiba-di-korea-utara",
        "https://travel.okezone.com/read/2024/05/15/406/3008640/judul?page=all",
        "https://news.detik.com/internasional/d-3748777/rusia-peluncuran-rudal-korut-aksi-provokasi",
        "https://www.detik.com/jatim/berita/d-8000000/judul-berita",
        "https://kabar24.bisnis.com/read/20220906/19/1574553/diduga-putus-asa-rusia-otw-beli-artileri",
        "https://www.kompas.com/global/read/2023/02/21/053400470/-populer-global-1.000-volvo?page=all",
        "https://www.kompas.com/global/read/2023/09/13/200000170/twitter.com",
        "https://nasional.kompas.com/read/2026/10/03/061000026/judul",
    ]
    assert all(canonicalize(url) is not None for url in real)


def test_kompas_id_carries_the_date_because_the_number_restarts_daily():
    first = canonicalize("https://www.kompas.com/global/read/2023/09/13/062311370/a")
    second = canonicalize("https://www.kompas.com/global/read/2023/09/14/062311370/a")
    assert first is not None
    assert second is not None
    assert first.article_id != second.article_id


def test_single_page_views_and_path_pages():
    assert single_page_url(canonicalize(KOMPAS)) == KOMPAS + "?page=all"  # type: ignore[arg-type]
    assert single_page_url(canonicalize(OKEZONE)) == OKEZONE + "?page=all"  # type: ignore[arg-type]
    assert single_page_url(canonicalize(DETIK)) == DETIK + "?single=1"  # type: ignore[arg-type]
    assert single_page_url(canonicalize(BISNIS)) == BISNIS  # type: ignore[arg-type]
    assert page_number(BISNIS + "/2") == 2
    assert page_number(BISNIS) is None
