"""The search table's on-topic flags (0060): one rewrite per story and statement, none when unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

from pantau.base.models import TopicScore
from pantau.storage.articles import store_article
from pantau.storage.reprocess import NewScore, write_scores
from tests.support.articles import build_article

NOW = datetime(2023, 9, 14, tzinfo=UTC)


def _flags(conn, story: int) -> tuple[list[str] | None, str]:
    """(on_topics, xmin) of the story's search row: xmin changes whenever the row is rewritten."""
    row = conn.execute(
        "SELECT on_topics, xmin::text FROM article_search WHERE article_id = %s", (story,)
    ).fetchone()
    return row[0], row[1]


def _rescore(conn, story: int, content_hash: str, **on: bool) -> None:
    scores = [
        NewScore(story, topic, 5.0 if flag else 0.5, flag, [], "fp", content_hash)
        for topic, flag in on.items()
    ]
    with conn.transaction():
        write_scores(conn, scores, NOW)


def test_flags_follow_stored_scores_and_rescores(conn):
    off = build_article(2, topics={"nk-russia-arms": TopicScore(0.1, False, [])})
    on_id, off_id = store_article(conn, build_article(1)).article_id, store_article(conn, off).article_id
    assert _flags(conn, on_id)[0] == ["nk-russia-arms"]
    assert _flags(conn, off_id)[0] is None
    digest = conn.execute("SELECT content_hash FROM articles WHERE id = %s", (off_id,)).fetchone()[0]
    # Two topics change in one statement: both flags, in name order, from one rewrite.
    _rescore(conn, off_id, digest, nk_copy=True, **{"nk-russia-arms": True})
    assert _flags(conn, off_id)[0] == ["nk-russia-arms", "nk_copy"]
    _rescore(conn, off_id, digest, **{"nk-russia-arms": False})
    assert _flags(conn, off_id)[0] == ["nk_copy"]
    conn.execute("DELETE FROM article_topics WHERE article_id = %s AND topic = 'nk_copy'", (off_id,))
    assert _flags(conn, off_id)[0] is None


def test_a_rescore_that_changes_no_flag_does_not_rewrite_the_search_row(conn):
    story = store_article(conn, build_article(3)).article_id
    digest = conn.execute("SELECT content_hash FROM articles WHERE id = %s", (story,)).fetchone()[0]
    flags, version = _flags(conn, story)
    _rescore(conn, story, digest, **{"nk-russia-arms": True})  # a new score, still on topic
    assert _flags(conn, story) == (flags, version)


def test_the_search_table_keeps_room_for_a_new_version_of_each_row(conn):
    options = conn.execute("SELECT reloptions FROM pg_class WHERE relname = 'article_search'").fetchone()[0]
    assert "fillfactor=50" in options
    stories = [store_article(conn, build_article(10 + n)).article_id for n in range(40)]
    hashes = dict(
        conn.execute("SELECT id, content_hash FROM articles WHERE id = ANY(%s)", (stories,)).fetchall()
    )
    scores = [NewScore(s, "nk-russia-arms", 0.1, False, [], "fp", hashes[s]) for s in stories]
    counts = "SELECT n_tup_hot_upd, n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'article_search'"
    with conn.transaction():
        # deltas: this server's view may still hold the counts of earlier transactions of the session
        hot_before, updated_before = conn.execute(counts).fetchone()
        write_scores(conn, scores, NOW)
        hot, updated = conn.execute(counts).fetchone()
    assert updated - updated_before == len(stories)
    assert hot - hot_before == len(stories)  # every flag change stayed on its page: no index entry written
