"""Fuzzing the parsing surface with hypothesis (profile `faults`: 200 examples, derandomised).

Arbitrary text into the date parser, the URL canonicaliser, the boilerplate cleaner, the topic
scorer, the extractor and the link filters: no exception escapes, and each output keeps its contract.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import cache
from html import escape

from hypothesis import given
from hypothesis import strategies as st

from pantau.base.canonical import canonicalize, single_page_url
from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.base.text import safe_link
from pantau.pipelines.dates import is_plausible, parse_any, parse_indonesian, parse_iso
from pantau.pipelines.extract import ExtractionError, extract_article
from pantau.pipelines.rules import rules_for_site
from pantau.pipelines.topics import load_topics
from pantau.web.app import safe_url
from tests.support.replay.world import SITES

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
MONTHS = ["Januari", "Februari", "Maret", "Mei", "Agustus", "Desember", "Jan", "Des"]

# Text near what the sites print, plus anything at all.
date_text = st.one_of(
    st.text(max_size=80),
    st.builds(
        "{}, {} {} {} {}:{} {}".format,
        st.sampled_from(["Senin", "Kamis", "Jum'at", ""]),
        st.integers(-5, 40),
        st.sampled_from(MONTHS),
        st.integers(0, 10000),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["WIB", "WITA", "WIT", "", "GMT+7"]),
    ),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:00{}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from(["", "Z", "+07:00", "-12:00", "+14:00"]),
    ),
)
site_urls = st.one_of(
    st.text(max_size=120),
    st.builds(
        "{}://{}{}/read/{}/{}/{}/18/{}/{}{}".format,
        st.sampled_from(["https", "http", "HTTPS", "ftp", "javascript", ""]),
        st.sampled_from(["", "www.", "news.", "m.", "amp.", "evil."]),
        st.sampled_from(["okezone.com", "detik.com", "kompas.com", "bisnis.com", "okezone.com.evil.net"]),
        st.integers(0, 3000),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 10**12),
        st.from_regex(r"[a-z0-9-]{0,30}", fullmatch=True),
        st.sampled_from(["", "?page=all", "?utm_source=x#frag", "/", "?single=1&page=2", "%00"]),
    ),
    st.builds(
        "https://news.detik.com/{}/d-{}/{}{}".format,
        st.sampled_from(["berita", "internasional", "foto-news", ""]),
        st.integers(0, 10**9),
        st.from_regex(r"[a-z0-9-]{0,20}", fullmatch=True),
        st.sampled_from(["", "?single=1", "/2", "?tag_from=rss"]),
    ),
)


@given(date_text)
def test_fuzz_dates_never_raise_and_are_tz_aware(text):
    for parse in (parse_any, parse_iso, parse_indonesian):
        parsed = parse(text)
        if parsed is not None:
            assert parsed.value.tzinfo is not None
            assert parsed.value.utcoffset() is not None
            is_plausible(parsed.value, NOW)  # comparable with an aware now: never raises


@given(date_text)
def test_fuzz_a_page_date_is_aware_and_never_far_in_the_future(text):
    page = (
        f'<html><head><meta property="article:published_time" content="{escape(text)}"></head>'
        f"<body><h1>Judul</h1><article><p>{'Isi berita yang cukup panjang. ' * 12}</p>"
        f'<div class="date">{escape(text)}</div></article></body></html>'
    )
    found = extract_article(
        page, "https://news.okezone.com/read/2026/05/01/18/1/judul", rules_for_site("okezone"), now=NOW
    )
    if found.published_at is not None:
        assert found.published_at.tzinfo is not None
        assert found.published_at <= NOW + timedelta(days=1)


@given(site_urls)
def test_fuzz_canonical_urls_are_idempotent_https_and_on_their_site(url):
    canonical = canonicalize(url)
    if canonical is None:
        return
    assert canonical.url.startswith("https://")
    again = canonicalize(canonical.url)
    assert again is not None
    assert (again.url, again.site, again.article_id) == (canonical.url, canonical.site, canonical.article_id)
    host = canonical.url.split("/")[2]
    assert host == f"{canonical.site}.com" or host.endswith(f".{canonical.site}.com")
    assert canonicalize(single_page_url(canonical)).url == canonical.url  # type: ignore[union-attr]


@cache
def _cleaners():
    return [rules_for_site(site).boilerplate for site in SITES]


@given(st.text(max_size=400))
def test_fuzz_boilerplate_cleaning_never_raises_and_is_stable(text):
    for cleaner in _cleaners():
        cleaned = cleaner.clean(text)
        assert isinstance(cleaned, str)
        assert "\n\n" not in cleaned  # blank lines dropped
        assert len(cleaned) <= len(text) + 1


@cache
def _topics():
    return load_topics(PACKAGE_TOPICS_DIR)


story_text = st.one_of(
    st.text(max_size=600),
    st.lists(
        st.sampled_from(
            ["Korea Utara", "Rusia", "rudal", "amunisi", "Putin", "Kim Jong Un", ".", "\n", "Baca juga:", " "]
        ),
        max_size=60,
    ).map(" ".join),
)


@given(st.text(max_size=120), story_text)
def test_fuzz_topic_scores_are_finite_deterministic_and_explained(title, text):
    for topic in _topics():
        first, second = topic.score(title, text), topic.score(title, text)
        assert first == second
        assert first.score >= 0
        assert math.isfinite(first.score)
        assert not first.on_topic or first.matched_terms


@given(st.text(max_size=200))
def test_fuzz_extraction_either_extracts_or_says_why(html):
    try:
        found = extract_article(html, "https://news.detik.com/berita/d-1/x", rules_for_site("detik"), now=NOW)
    except ExtractionError as exc:
        reason = exc.reason
    else:
        reason = f"{len(found.text)} chars"
        assert found.title
        assert len(found.text) >= rules_for_site("detik").min_body_chars
    assert reason


@given(
    st.text(max_size=80),
    st.sampled_from(["", "javascript:", "data:", "http://", "https://", "ftp://", " java\tscript:", "//"]),
)
def test_fuzz_only_absolute_http_links_survive(rest, scheme):
    url = scheme + rest
    for kept in (safe_link(url), safe_url(url) or None):
        if kept is not None:
            assert kept.split(":", 1)[0].lower() in ("http", "https")
