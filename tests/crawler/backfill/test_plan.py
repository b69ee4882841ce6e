"""The plan of a backfill: weekly chunks, the walks of each, their URLs, and which pages are still to walk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pantau.base.sites import site_names
from pantau.crawler.backfill.model import backfill_model
from pantau.crawler.backfill.plan import Chunk, Range, chunks, dates_done, next_page, state, walks
from pantau.storage.backfill import Checkpoint

TOPIC = "nk-russia-arms"
WEEK = Chunk(date(2024, 6, 17), date(2024, 6, 17), date(2024, 6, 23))
SPAN = Range(date(2024, 6, 1), date(2024, 6, 23), date(2024, 7, 1))


def done(listing: str, page: int, *, oldest: date | None = None, ended: str | None = None) -> Checkpoint:
    return Checkpoint(listing, page, 3, oldest, ended, datetime(2024, 7, 1, tzinfo=UTC))


def test_chunks_are_iso_weeks_cut_to_the_range_newest_first():
    found = chunks(date(2024, 6, 5), date(2024, 6, 19))  # Wednesday to Wednesday
    assert [(c.week, c.start, c.end) for c in found] == [
        (date(2024, 6, 17), date(2024, 6, 17), date(2024, 6, 19)),
        (date(2024, 6, 10), date(2024, 6, 10), date(2024, 6, 16)),
        (date(2024, 6, 3), date(2024, 6, 5), date(2024, 6, 9)),
    ]
    assert found[0].days() == [date(2024, 6, 19), date(2024, 6, 18), date(2024, 6, 17)]
    with pytest.raises(ValueError, match="after --until"):
        chunks(date(2024, 6, 20), date(2024, 6, 19))


@pytest.mark.parametrize("site", site_names())
def test_every_site_has_valid_backfill_data_for_the_default_topic(site):
    model = backfill_model(site)
    assert any(listing.kind == "daily" for listing in model.listings)
    assert model.terms(TOPIC).tags or model.terms(TOPIC).search
    keys = [w.key for w in walks(site, TOPIC, WEEK)]
    assert len(keys) == len(set(keys))
    assert all(w.url(1).startswith("https://") and site in w.url(2) for w in walks(site, TOPIC, WEEK))


def test_walk_urls_follow_each_sites_form():
    detik = _walk("detik", "indeks-internasional:2024-06-19")
    assert detik.url(2) == "https://news.detik.com/internasional/indeks?date=06%2F19%2F2024&page=2"
    kompas = _walk("kompas", "indeks-global:2024-06-19")
    assert kompas.url(1) == "https://indeks.kompas.com/?site=global&date=2024-06-19&page=1"
    assert _walk("kompas", "search:korea utara rusia:2024-06-17").url(3) == (
        "https://search.kompas.com/search?q=korea+utara+rusia&sort=latest"
        "&start_date=2024-06-17&end_date=2024-06-23&page=3"
    )
    okezone = _walk("okezone", "tag:korea-utara")
    assert okezone.url(1) == "https://www.okezone.com/tag/korea-utara"
    assert okezone.url(2) == "https://www.okezone.com/tag/korea-utara/2"
    assert _walk("okezone", "indeks-news:2024-06-19").url(1) == "https://news.okezone.com/indeks/2024/06/19"
    assert _walk("bisnis", "search:korea utara rusia").url(4) == (
        "https://search.bisnis.com/?q=korea+utara+rusia&page=4"
    )


def _walk(site: str, key: str):
    return next(w for w in walks(site, TOPIC, WEEK) if w.key == key)


def test_next_page_skips_done_pages_and_stops_where_the_walk_ended():
    daily = _walk("kompas", "indeks-global:2024-06-19")
    key = daily.key
    assert next_page(daily, {}, 0, since=SPAN.since, chunk=WEEK) == 1
    assert next_page(daily, {1: done(key, 1)}, 0, since=SPAN.since, chunk=WEEK) == 2
    ended = {1: done(key, 1), 2: done(key, 2, ended="empty")}
    assert next_page(daily, ended, 0, since=SPAN.since, chunk=WEEK) is None
    gap = {1: done(key, 1), 3: done(key, 3, ended="empty")}  # page 2's articles were never settled
    assert next_page(daily, gap, 0, since=SPAN.since, chunk=WEEK) == 2
    assert next_page(daily, gap, 2, since=SPAN.since, chunk=WEEK) is None


def test_a_stream_pauses_past_its_chunk_and_goes_on_when_the_range_grows_back():
    tag = _walk("kompas", "tag:korea-utara")
    page_one = {1: done(tag.key, 1, oldest=date(2024, 6, 10))}  # reaches back before this week
    assert next_page(tag, page_one, 0, since=SPAN.since, chunk=WEEK) is None
    earlier = Chunk(date(2024, 6, 10), date(2024, 6, 10), date(2024, 6, 16))
    assert next_page(tag, page_one, 0, since=SPAN.since, chunk=earlier) == 2
    ended = {**page_one, 2: done(tag.key, 2, oldest=date(2024, 5, 20), ended="since")}
    assert next_page(tag, ended, 1, since=SPAN.since, chunk=earlier) is None
    assert next_page(tag, ended, 1, since=date(2024, 5, 1), chunk=earlier) == 2  # --since moved back


def test_todays_index_and_this_weeks_search_are_walked_again():
    today = Range(SPAN.since, date(2024, 6, 19), date(2024, 6, 19))
    daily = _walk("kompas", "indeks-global:2024-06-19")
    finished = [done(daily.key, 1, ended="empty")]
    assert state(daily, finished, today, WEEK).next_page == 1
    assert state(daily, finished, SPAN, WEEK).next_page is None
    search = next(w for w in walks("kompas", TOPIC, WEEK) if w.week is not None)
    assert search.grows(date(2024, 6, 19), date(2024, 6, 23))
    assert not search.grows(date(2024, 6, 19), date(2024, 6, 18))  # the range ends before today


def test_dates_done_counts_days_whose_walks_all_ended():
    week = Range(date(2024, 6, 17), date(2024, 6, 23), date(2024, 7, 1))
    every = [done(w.key, 1, oldest=date(2024, 6, 1), ended="since") for w in walks("bisnis", TOPIC, WEEK)]
    assert dates_done("bisnis", TOPIC, week, every) == 7
    one_day_open = [c for c in every if c.listing != "indeks-kabar24:2024-06-18"]
    assert dates_done("bisnis", TOPIC, week, one_day_open) == 6
    search_open = [c for c in every if not c.listing.startswith("search:")]
    assert dates_done("bisnis", TOPIC, week, search_open) == 0
    assert dates_done("bisnis", TOPIC, week, []) == 0
    assert timedelta(days=6) == WEEK.end - WEEK.start
