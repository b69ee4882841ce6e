"""How the walker reads one listing page: links and dates, wrapped links, padding, repeats, the range."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from scrapy.http import HtmlResponse

from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.crawler.backfill.plan import walks
from pantau.crawler.backfill.reading import unwrap as _unwrap
from pantau.crawler.backfill.walker import BackfillWalker, Job
from pantau.pipelines.topics import load_topic

TOPIC = load_topic(PACKAGE_TOPICS_DIR / "nk-russia-arms.toml")
JOB = Job(since=date(2024, 6, 1), until=date(2024, 6, 23), week=date(2024, 6, 17), topic="nk-russia-arms")


def walker(site: str) -> BackfillWalker:
    # The walker only reads the spider's name until it crawls; the crawl paths are tested on the replay world.
    return BackfillWalker(SimpleNamespace(name=site), JOB, TOPIC, date(2024, 7, 1))  # type: ignore[arg-type]


def walk(site: str, key: str):
    w = walker(site)
    return w, next(x for x in walks(site, "nk-russia-arms", w.chunk) if x.key == key)


def kompas_item(day: int, serial: int, title: str, month: str = "Juni") -> str:
    slug = title.lower().replace(" ", "-")
    url = f"https://www.kompas.com/global/read/2024/06/{day:02d}/1000000{serial:02d}/{slug}"
    return (
        f'<div class="articleItem"><a class="article-link" href="{url}?source=tag"><img alt="x"></a>'
        f'<a class="article-link" href="{url}"><h2 class="articleTitle">{title}</h2></a>'
        f'<div class="articlePost-date">{day} {month} 2024</div></div>'
    )


def page(url: str, *items: str) -> HtmlResponse:
    body = f"<html><body><a href='/tag/korea-utara'>Korea Utara</a>{''.join(items)}</body></html>"
    return HtmlResponse(url, body=body.encode(), encoding="utf-8")


def test_items_take_the_title_and_the_date_listed_beside_each_link():
    w, tag = walk("kompas", "tag:korea-utara")
    response = page(
        tag.url(1), kompas_item(19, 1, "Putin Tiba di Pyongyang"), kompas_item(18, 2, "Rusia Siap")
    )
    items = w._items(tag, response)
    assert [(i.title, i.when) for i in items] == [
        ("Putin Tiba di Pyongyang", date(2024, 6, 19)),
        ("Rusia Siap", date(2024, 6, 18)),
    ]
    assert items[0].canonical.url.endswith("/putin-tiba-di-pyongyang")


def test_wrapped_search_links_are_unwrapped():
    target = "https://kabar24.bisnis.com/read/20240619/19/1780000/putin-ke-pyongyang"
    wrapped = "https://search.bisnis.com/link?url=https%3A%2F%2Fkabar24.bisnis.com%2Fread%2F20240619%2F19%2F1780000%2Fputin-ke-pyongyang"
    assert _unwrap(wrapped, "url") == target
    assert _unwrap(target, "url") == target
    assert _unwrap("https://search.bisnis.com/?q=x&url=y", "url") == "https://search.bisnis.com/?q=x&url=y"


def test_a_tag_padded_with_recent_news_ends_where_the_dates_go_back_up():
    w, tag = walk("kompas", "tag:korea-utara")
    first = [
        kompas_item(22, 1, "Kim dan Putin Bertemu"),
        kompas_item(20, 2, "Korea Utara Kirim Rudal ke Rusia"),
    ]
    kept, oldest, ended = w._judge(tag, 1, w._items(tag, page(tag.url(1), *first)))
    assert (len(kept), oldest, ended) == (2, date(2024, 6, 20), None)
    padded = [kompas_item(12, 3, "Pasukan Korut di Kursk Rusia"), kompas_item(23, 4, "Harga Beras Turun")]
    kept, oldest, ended = w._judge(tag, 2, w._items(tag, page(tag.url(2), *padded)))
    assert [i.title for i in kept] == ["Pasukan Korut di Kursk Rusia"]
    assert (oldest, ended) == (date(2024, 6, 12), "padding")


def test_a_page_without_new_articles_ends_the_walk_and_an_empty_one_too():
    w, daily = walk("kompas", "indeks-global:2024-06-19")
    same = [kompas_item(19, 1, "Putin Tiba di Pyongyang")]
    assert w._judge(daily, 1, w._items(daily, page(daily.url(1), *same)))[2] is None
    assert w._judge(daily, 2, w._items(daily, page(daily.url(2), *same))) == ([], None, "repeat")
    assert w._judge(daily, 3, []) == ([], None, "empty")


def test_stream_items_outside_the_range_are_dropped_and_older_ones_end_the_walk():
    w, tag = walk("kompas", "tag:korea-utara")
    items = [
        kompas_item(25, 1, "Korut Rusia Teken Pakta"),
        kompas_item(2, 2, "Korut Rusia Latihan"),
        kompas_item(28, 3, "Korut Rusia Lama", month="Mei"),
    ]
    kept, oldest, ended = w._judge(tag, 1, w._items(tag, page(tag.url(1), *items)))
    assert [i.title for i in kept] == [
        "Korut Rusia Latihan"
    ]  # 25 June is after --until, 28 May before --since
    assert (oldest, ended) == (date(2024, 5, 28), "since")


@pytest.mark.parametrize(
    ("key", "title", "fetched"),
    [
        ("indeks-global:2024-06-19", "Pertemuan Kim Jong Un", True),  # "any": one side named
        ("indeks-global:2024-06-19", "Harga Beras Turun", False),
        ("tag-broad:rusia", "Rusia Uji Rudal Baru", False),  # "all": both sides needed on a broad tag
        ("tag-broad:rusia", "Rusia Terima Peluru dari Korut", True),
        ("tag:korea-utara", "Harga Beras Turun", True),  # the topic's own tag: no prefilter
    ],
)
def test_prefilter_by_title_and_slug(key, title, fetched):
    w, listing = walk("kompas", key)
    kept, _, _ = w._judge(listing, 1, w._items(listing, page(listing.url(1), kompas_item(19, 1, title))))
    assert bool(kept) is fetched


def test_the_page_limit_ends_a_walk():
    w, search = walk("kompas", "search:korea utara rusia:2024-06-17")
    items = w._items(search, page(search.url(38), kompas_item(19, 1, "Korut Rusia")))
    assert w._judge(search, 38, items)[2] == "limit"
