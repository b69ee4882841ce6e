"""store_article against a real PostgreSQL: idempotent upserts, versions, topics, seen-marking."""

from __future__ import annotations

import threading
import zlib

import psycopg
import pytest

from pantau.base.models import TopicScore
from pantau.storage.articles import clean, get_article, known_urls, store_article
from tests.support.articles import build_article

CHANGED_BODY = (
    "Pemimpin Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di Kosmodrom Vostochny.\n"
    "Pembaruan: Kremlin kemudian membenarkan bahwa kedua pemimpin menandatangani perjanjian kerja sama."
)


TOPICS = (
    "SELECT topic, score, on_topic, matched_terms FROM article_topics WHERE article_id = %s ORDER BY topic"
)


def count(conn, query, *params):
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_storing_the_same_item_twice_is_one_row_unchanged(conn):
    item = build_article(101)
    first = store_article(conn, item)
    second = store_article(conn, build_article(101))
    assert (first.outcome, second.outcome) == ("new", "unchanged")
    assert second.article_id == first.article_id
    assert second.cluster_id == first.cluster_id == first.article_id
    assert count(conn, "SELECT count(*) FROM articles WHERE site_article_id = '101'") == 1
    assert count(conn, "SELECT version FROM articles WHERE id = %s", first.article_id) == 1
    assert count(conn, "SELECT count(*) FROM article_versions WHERE article_id = %s", first.article_id) == 0


def test_changed_text_is_an_update_that_keeps_the_old_version(conn):
    first = store_article(conn, build_article(102))
    updated = store_article(
        conn, build_article(102, text=CHANGED_BODY, title="Kim dan Putin teken kerja sama")
    )
    assert updated.outcome == "updated"
    assert updated.article_id == first.article_id
    assert updated.cluster_id == first.cluster_id
    stored = get_article(conn, first.article_id)
    assert stored is not None
    assert (stored["version"], stored["body"], stored["title"]) == (
        2,
        CHANGED_BODY,
        "Kim dan Putin teken kerja sama",
    )
    assert stored["updated_at"] is not None
    old = conn.execute(
        "SELECT version, title, body FROM article_versions WHERE article_id = %s", (first.article_id,)
    ).fetchall()
    assert old == [(1, "Kim Jong Un dan Putin bertemu (102)", build_article(102).text)]
    # The edit arriving again changes nothing more.
    again = store_article(conn, build_article(102, text=CHANGED_BODY, title="Kim dan Putin teken kerja sama"))
    assert again.outcome == "unchanged"
    assert count(conn, "SELECT version FROM articles WHERE id = %s", first.article_id) == 2


def test_topic_rows_are_written_and_rescored(conn):
    item = build_article(
        103,
        topics={
            "nk-russia-arms": TopicScore(0.8, True, ["Kim Jong Un", "amunisi"]),
            "ekonomi": TopicScore(0.1, False, []),
        },
    )
    result = store_article(conn, item)
    rows = conn.execute(TOPICS, (result.article_id,)).fetchall()
    assert rows == [
        ("ekonomi", pytest.approx(0.1), False, []),
        ("nk-russia-arms", 0.8, True, ["Kim Jong Un", "amunisi"]),
    ]

    item.topics["nk-russia-arms"] = TopicScore(0.3, False, ["Korea Utara"])
    assert store_article(conn, item).outcome == "unchanged"
    rows = conn.execute(TOPICS, (result.article_id,)).fetchall()
    assert len(rows) == 2
    assert rows[1] == ("nk-russia-arms", pytest.approx(0.3), False, ["Korea Utara"])


def test_raw_html_is_stored_compressed_with_its_extra_pages(conn):
    item = build_article(104, html="<html><p>halaman satu</p></html>", extra_pages=["<p>halaman dua</p>"])
    result = store_article(conn, item)
    raw = count(conn, "SELECT raw_html FROM articles WHERE id = %s", result.article_id)
    html = zlib.decompress(raw).decode()
    assert html.startswith("<html><p>halaman satu</p></html>")
    assert "<!-- pantau:page 2 -->\n<p>halaman dua</p>" in html
    stored = get_article(conn, result.article_id)
    assert stored is not None
    assert stored["html"] == html
    assert stored["topics"]["nk-russia-arms"]["on_topic"] is True


def test_control_characters_are_stripped_but_newlines_and_tabs_kept(conn):
    assert clean("a\x00b\x07c\r\nd\te\x1f") == "abc\nd\te"
    item = build_article(105, title="Judul\x00 berita\x1b", text="Baris satu\x00\r\nBaris\tdua\x0c")
    result = store_article(conn, item)
    stored = get_article(conn, result.article_id)
    assert stored is not None
    assert (stored["title"], stored["body"]) == ("Judul berita", "Baris satu\nBaris\tdua")


def test_discovered_url_is_marked_stored_in_the_same_transaction(conn):
    item = build_article(106)
    for url in (item.canonical_url, "https://news.okezone.com/read/2023/09/13/18/999/lain"):
        conn.execute(
            "INSERT INTO discovered_urls (canonical_url, site, site_article_id, source)"
            " VALUES (%s, 'okezone', %s, 'x')",
            (url, url[-5:]),
        )
    store_article(conn, item)
    rows = dict(conn.execute("SELECT canonical_url, status FROM discovered_urls").fetchall())
    assert rows[item.canonical_url] == "stored"
    assert rows["https://news.okezone.com/read/2023/09/13/18/999/lain"] == "new"


def test_an_article_without_body_is_refused_and_nothing_is_written(conn):
    item = build_article(107, text=" \x00 ")
    with pytest.raises(ValueError, match=r"okezone\.com/.*/107/berita has an empty body"):
        store_article(conn, item)
    assert known_urls(conn, [item.canonical_url]) == set()
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_known_urls_tells_which_are_stored(conn):
    stored = build_article(108)
    store_article(conn, stored)
    unknown = "https://news.okezone.com/read/2023/09/13/18/108999/belum"
    assert known_urls(conn, [stored.canonical_url, unknown]) == {stored.canonical_url}
    assert known_urls(conn, []) == set()


def test_concurrent_stores_of_one_article_make_one_row(database_url):
    # Two crawls racing on the same story: ON CONFLICT settles it, no UniqueViolation, no double row.
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def store() -> None:
        try:
            with psycopg.connect(database_url, autocommit=True) as own:
                barrier.wait(timeout=10)
                outcomes.append(store_article(own, build_article(109)).outcome)
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcomes) == ["new", "unchanged", "unchanged", "unchanged"]
    with psycopg.connect(database_url) as check:
        assert count(check, "SELECT count(*) FROM articles WHERE site_article_id = '109'") == 1
