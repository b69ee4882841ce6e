"""The search table follows the archive (stored, updated, re-scored, deleted stories); migration 0010."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pantau.base.models import Article, TopicScore
from pantau.storage.articles import store_article
from pantau.storage.db import Database
from pantau.storage.migrate import available, migrate
from pantau.storage.queries import schema
from pantau.storage.search import Filters, search
from tests.support.database import create_database

TOPIC = "nk-russia-arms"


def story(number: int, text: str, *, on_topic: bool = True) -> Article:
    """An article as the pipelines hand it to the store."""
    url = f"https://news.okezone.com/read/2025/03/01/18/{number}/berita"
    return Article(
        site="okezone",
        url=url,
        canonical_url=url,
        site_article_id=str(number),
        html="<html></html>",
        fetched_at=datetime(2025, 3, 1, 5, 0, tzinfo=UTC),
        title=f"Berita {number}",
        text=text,
        published_at=datetime(2025, 3, 1, 4, number % 60, tzinfo=UTC),
        language="id",
        topics={TOPIC: TopicScore(7.0 if on_topic else 0.5, on_topic, [])},
    )


def ids(db: Database, query: str, **filters: object) -> set[int]:
    with db.connection() as conn:
        return {hit.id for hit in search(conn, Filters(query=query, **filters), limit=100)}  # type: ignore[arg-type]


def test_a_stored_story_is_searchable_at_once(db):
    with db.connection() as conn:
        stored = store_article(conn, story(1, "Kim Jong-un meninjau peluncuran rudal hipersonik."))
    assert stored.article_id in ids(db, '"Kim Jong Un" hipersonik')
    assert stored.article_id in ids(db, "hipersonik", topic=TOPIC)


def test_a_changed_text_is_searched_as_it_is_now(db):
    with db.connection() as conn:
        first = store_article(conn, story(2, "Kapal tanker berlabuh di pelabuhan Nakhodka."))
        second = store_article(conn, story(2, "Kapal kargo berlabuh di pelabuhan Zarubino."))
    assert second.outcome == "updated"
    assert ids(db, "zarubino") == {first.article_id}
    assert ids(db, "nakhodka") == set()


def test_a_story_taken_off_topic_leaves_the_topic_filter(db):
    with db.connection() as conn:
        stored = store_article(conn, story(3, "Latihan militer gabungan di Laut Jepang, kata Kremlin."))
        assert stored.article_id in ids(db, "kremlin", topic=TOPIC)
        conn.execute("UPDATE article_topics SET on_topic = false WHERE article_id = %s", (stored.article_id,))
    assert stored.article_id in ids(db, "kremlin")
    assert stored.article_id not in ids(db, "kremlin", topic=TOPIC)


def test_a_deleted_story_leaves_the_search_table(db):
    with db.connection() as conn:
        stored = store_article(conn, story(4, "Satelit mata-mata Malligyong-1 diluncurkan dari Sohae."))
        conn.execute("DELETE FROM articles WHERE id = %s", (stored.article_id,))
        left = conn.execute("SELECT count(*) FROM article_search WHERE article_id = %s", (stored.article_id,))
        assert left.fetchone() == (0,)


@pytest.fixture
def before_0010(pg_admin_url):
    """A database migrated up to 0009 only, as an archive from before the search table."""
    url = create_database(pg_admin_url, "t_search_before_0010")
    with Database(url) as db, db.connection() as conn:
        conn.execute(schema.CREATE_VERSION_TABLE)
        for migration in available():
            if migration.version < 10:
                conn.execute(migration.sql.encode())
                conn.execute(schema.RECORD_VERSION, (migration.version, migration.name))
    return url


def test_migration_0010_indexes_the_stories_already_stored(before_0010):
    with Database(before_0010) as db:
        with db.connection() as conn:
            conn.execute(
                "INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, content_hash,"
                " simhash) VALUES ('kompas', '9', 'https://x/9', 'https://x/9', 'Korea-Utara Uji Rudal',"
                " 'Pyongyang menguji rudal balistik antarbenua.', 'h9', 9)"
            )
        migrate(db)
        assert len(ids(db, '"Korea Utara" balistik')) == 1
