"""Stories a rescore puts on a topic are not new: only include_rescored lists them, once, apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pantau.pipelines import rescore as engine
from pantau.pipelines.topics import load_topics
from pantau.scheduler import jobs
from tests.support.digests import Clock, add_article, add_subscription_row
from tests.support.reprocess import set_threshold

T0 = datetime(2024, 11, 20, 0, 0, tzinfo=UTC)  # 07:00 WIB: a daily period ends here
T1 = T0 + timedelta(days=1)
SUB = {"recipients": ["analyst@example.org"], "schedule": "daily 07:00"}
ON_TOPIC_TITLE = "Korea Utara kirim rudal ke Rusia"


def _texts(smtp, name: str) -> list[str]:
    return [
        r.message.get_body(("plain",)).get_content()
        for r in smtp[0].received
        if f"analyst+{name}@example.org" in r.recipients
    ]


def test_rescored_stories_are_listed_only_when_asked_in_their_own_section_and_once(
    clean, make_settings, smtp, tmp_path: Path
) -> None:
    subs = [
        {**SUB, "name": "plain", "recipients": ["analyst+plain@example.org"]},
        {**SUB, "name": "archive", "recipients": ["analyst+archive@example.org"], "include_rescored": True},
    ]
    settings = make_settings(smtp_url=smtp[1], subscriptions=subs, crawl={"sites": []})
    for sub in ("plain", "archive"):
        add_subscription_row(clean, sub, T0 - timedelta(hours=1))
    add_article(clean, title="Crawled on topic", first_seen_at=T0 + timedelta(hours=1))
    old = add_article(clean, title=ON_TOPIC_TITLE, first_seen_at=T0 - timedelta(days=10), on_topic=False)
    add_article(clean, title=ON_TOPIC_TITLE + " lagi", first_seen_at=T0 + timedelta(hours=2), on_topic=False)
    add_article(
        clean, title="Harga beras", body="Harga beras naik lagi di pasar.", first_seen_at=T0, on_topic=False
    )
    topics = load_topics(settings.topics_dir)
    report = engine.rescore(clean, topics, clock=Clock(T0 + timedelta(hours=4)))
    assert report.topics["nk-russia-arms"].became == 2

    jobs.digest_cycle(clean, settings, Clock(T1 + timedelta(minutes=5)))
    [plain] = _texts(smtp, "plain")
    assert "Crawled on topic" in plain
    assert ON_TOPIC_TITLE not in plain, "a story a rescore put on the topic is not new"
    [archive] = _texts(smtp, "archive")
    head, section = archive.split("Newly on topic in the archive (a topic file changed; these are not new")
    assert "Crawled on topic" in head
    assert ON_TOPIC_TITLE not in head
    assert f"1. {ON_TOPIC_TITLE}" in section
    assert f"{ON_TOPIC_TITLE} lagi" in section
    subjects = [" ".join(r.message["Subject"].split()) for r in smtp[0].received]  # unfolded
    assert "pantau: 1 new story, 2 from the archive, Korea Utara–Rusia, 21 Nov" in subjects

    # The old story leaves the topic and comes back the next day: it was listed once, not again.
    raised = tmp_path / "topics"
    raised.mkdir()
    (raised / "nk-russia-arms.toml").write_bytes((settings.topics_dir / "nk-russia-arms.toml").read_bytes())
    set_threshold(raised, 1000)
    engine.rescore(clean, load_topics(raised), clock=Clock(T1 + timedelta(hours=1)))
    assert engine.rescore(clean, topics, clock=Clock(T1 + timedelta(hours=2))).topics["nk-russia-arms"].became
    with clean.connection() as conn:
        moved = conn.execute(
            "SELECT rescored_at FROM article_topics WHERE article_id = %s", (old,)
        ).fetchone()
    assert moved == (T1 + timedelta(hours=2),)
    jobs.digest_cycle(clean, settings, Clock(T1 + timedelta(days=1, minutes=5)))
    assert len(_texts(smtp, "archive")) == 1, "nothing new the second day: no digest sent"


def test_a_story_that_leaves_the_topic_is_no_longer_listed(
    clean, make_settings, smtp, tmp_path: Path
) -> None:
    settings = make_settings(smtp_url=smtp[1], subscriptions=[{**SUB, "name": "plain"}], crawl={"sites": []})
    add_subscription_row(clean, "plain", T0 - timedelta(hours=1))
    add_article(clean, title=ON_TOPIC_TITLE, first_seen_at=T0 + timedelta(hours=1))
    raised = tmp_path / "topics"
    raised.mkdir()
    (raised / "nk-russia-arms.toml").write_bytes((settings.topics_dir / "nk-russia-arms.toml").read_bytes())
    set_threshold(raised, 1000)
    assert (
        engine.rescore(clean, load_topics(raised), clock=Clock(T0 + timedelta(hours=2)))
        .topics["nk-russia-arms"]
        .left
        == 1
    )
    report = jobs.digest_cycle(clean, settings, Clock(T1 + timedelta(minutes=5)))
    assert report is not None
    assert {b.status for b in report.built} == {"empty"}
    assert smtp[0].received == []
