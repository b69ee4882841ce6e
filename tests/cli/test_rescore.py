"""`pantau rescore` over a crawl of the replay world: topic changes reach the whole archive."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pantau.base.settings import load_settings
from pantau.pipelines import rescore as engine
from pantau.pipelines.topics import load_topics
from pantau.scheduler import rescoring
from pantau.scheduler.jobs import JobContext
from pantau.storage.db import Database, Timeouts
from tests.support.helpers import start_pantau, wait_for
from tests.support.reprocess import TOPIC, Crawled, crawl_replay, set_threshold

pytestmark = pytest.mark.slow  # one subprocess crawl of the four sites per module


@pytest.fixture(scope="module")
def crawled(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    return crawl_replay(database_url, tmp_path_factory.mktemp("rescore"))


@pytest.fixture(autouse=True)
def shipped_scores(crawled: Crawled) -> Iterator[None]:
    """Each test leaves the archive scored with the shipped topic file, as the crawl did."""
    yield
    assert crawled.pantau("rescore").exit_code == 0


def _summary(stdout: str) -> dict[str, list[int]]:
    """The per-topic rows of the summary: {topic: [scored, became, left, changed]}."""
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) == 5 and cells[1].isdigit():
            rows[cells[0]] = [int(cell) for cell in cells[1:]]
    return rows


def test_a_fresh_crawl_has_nothing_to_rescore(crawled: Crawled) -> None:
    assert crawled.on_topic(), "the replay world has seed stories on the topic"
    result = crawled.pantau("rescore")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("every score is up to date with the topic files (nk-russia-arms)")


def test_threshold_1000_takes_every_story_off_the_topic_and_restoring_brings_them_back(
    crawled: Crawled, tmp_path: Path
) -> None:
    before = crawled.on_topic()
    stories = crawled.query("SELECT count(*) FROM articles")[0][0]
    topics = crawled.topics_dir("raised")
    set_threshold(topics, 1000)

    dry = crawled.pantau("rescore", "--dry-run", topics_dir=topics)
    assert dry.exit_code == 0, dry.output
    assert f"would rescore {stories} of {stories} stories" in dry.stdout
    assert _summary(dry.stdout)[TOPIC] == [stories, 0, len(before), 0]
    assert "dry run: nothing was written" in dry.stdout
    assert crawled.on_topic() == before

    raised = crawled.pantau("rescore", topics_dir=topics)
    assert raised.exit_code == 0, raised.output
    assert _summary(raised.stdout)[TOPIC] == [stories, 0, len(before), 0]
    assert crawled.on_topic() == set()
    again = crawled.pantau("rescore", topics_dir=topics)
    assert again.stdout.startswith("every score is up to date"), "a finished rescore leaves nothing stale"

    set_threshold(topics, 3.0)
    restored = crawled.pantau("rescore", topics_dir=topics)
    assert restored.exit_code == 0, restored.output
    assert _summary(restored.stdout)[TOPIC] == [stories, len(before), 0, 0]
    assert crawled.on_topic() == before


def test_a_renamed_copy_of_the_topic_is_scored_over_the_whole_archive(crawled: Crawled) -> None:
    topics = crawled.topics_dir("copied")
    text = (topics / f"{TOPIC}.toml").read_text(encoding="utf-8")
    (topics / "nk-copy.toml").write_text(text.replace(f'name = "{TOPIC}"', 'name = "nk-copy"'), "utf-8")
    stories = crawled.query("SELECT count(*) FROM articles")[0][0]
    xmins = "SELECT xmin::text FROM article_topics WHERE topic = %s ORDER BY 1"
    untouched = crawled.query(xmins, TOPIC)

    result = crawled.pantau("rescore", topics_dir=topics)
    assert result.exit_code == 0, result.output
    summary = _summary(result.stdout)
    assert summary["nk-copy"] == [stories, len(crawled.on_topic()), 0, stories]
    assert summary[TOPIC] == [0, 0, 0, 0], "the unchanged topic's scores are current: not rescored"
    assert crawled.on_topic("nk-copy") == crawled.on_topic()
    assert crawled.query(xmins, TOPIC) == untouched
    copies = crawled.query("SELECT count(*) FROM article_topics WHERE topic = 'nk-copy'")[0][0]
    assert copies == stories


@pytest.mark.parametrize("overlap", [False, True], ids=["in turn", "written while the next is scored"])
def test_an_interrupted_rescore_resumes_where_it_stopped(crawled: Crawled, overlap: bool) -> None:
    topics_dir = crawled.topics_dir(f"interrupted-{overlap}")
    set_threshold(topics_dir, 2.5)
    topics = load_topics(topics_dir)
    stop = threading.Event()
    with Database(crawled.database_url) as db:
        first = engine.rescore(
            db, topics, batch_size=3, overlap=overlap, stop=stop, progress=lambda _d, _t: stop.set()
        )
    assert first.interrupted
    assert first.stories == 3
    fresh = crawled.query("SELECT count(*) FROM article_topics WHERE fingerprint = %s", topics[0].fingerprint)
    assert fresh == [(3,)]  # counted once written: the batch in flight was waited for
    result = crawled.pantau("rescore", topics_dir=topics_dir)
    assert result.exit_code == 0, result.output
    remaining = first.total - 3
    assert f"rescored {remaining} of {remaining} stories" in result.stdout


def test_a_failed_background_write_stops_the_rescore_with_its_error_and_writes_nothing(
    crawled: Crawled,
) -> None:
    topics_dir = crawled.topics_dir("locked")
    set_threshold(topics_dir, 2.5)
    topics = load_topics(topics_dir)
    before = crawled.query("SELECT xmin::text FROM article_topics ORDER BY 1")
    with (
        psycopg.connect(crawled.database_url) as holder,
        Database(crawled.database_url, timeouts=Timeouts(lock=1)) as db,
    ):
        holder.execute("LOCK TABLE article_topics IN EXCLUSIVE MODE")  # reads go on, writes wait
        with pytest.raises(psycopg.errors.LockNotAvailable):
            engine.rescore(db, topics, batch_size=3, overlap=True)
    assert crawled.query("SELECT xmin::text FROM article_topics ORDER BY 1") == before


def test_since_limits_the_rescore_to_stories_published_from_that_day(crawled: Crawled) -> None:
    topics = crawled.topics_dir("since")
    set_threshold(topics, 2.0)
    result = crawled.pantau("rescore", "--since", "2999-01-01", topics_dir=topics)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("every score is up to date")
    bad = crawled.pantau("rescore", "--since", "yesterday", topics_dir=topics)
    assert bad.exit_code == 2
    assert "--since 'yesterday' is not a date" in bad.stderr


def test_an_unknown_topic_or_a_broken_topic_file_stops_before_anything_is_written(crawled: Crawled) -> None:
    topics = crawled.topics_dir("broken")
    set_threshold(topics, 1.0)
    unknown = crawled.pantau("rescore", "--topic", "nope", topics_dir=topics)
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("pantau: error: unknown topic(s) nope; topics in ")
    (topics / "broken.toml").write_text('name = "broken"\ntitle = "x"\nthreshold = -1\n', "utf-8")
    before = crawled.query("SELECT xmin::text FROM article_topics ORDER BY 1")
    broken = crawled.pantau("rescore", topics_dir=topics)
    assert broken.exit_code == 2
    assert broken.stderr.startswith(f"pantau: error: topic file {topics / 'broken.toml'}: ")
    assert broken.stderr.count("\n") == 1
    assert crawled.query("SELECT xmin::text FROM article_topics ORDER BY 1") == before


def test_status_names_stale_scores_and_the_background_job_rescores_them_in_batches(
    crawled: Crawled,
) -> None:
    before = crawled.on_topic()
    topics_dir = crawled.topics_dir("background")
    set_threshold(topics_dir, 1000)
    stories = crawled.query("SELECT count(*) FROM articles")[0][0]
    status = crawled.pantau("status", topics_dir=topics_dir)
    assert f"scores: out of date (nk-russia-arms {stories} stories); the daemon rescores" in status.stdout

    settings = load_settings(
        None,
        database_url=crawled.database_url,
        data_dir=crawled.workdir / "data",
        topics_dir=topics_dir,
        rescore={"batch_size": 1},
    )
    with Database(crawled.database_url) as db:
        job = rescoring.BackgroundRescore(JobContext(settings, db))
        job()  # ten batches of one story: the rest waits for the next run
        fresh = "SELECT count(*) FROM article_topics WHERE fingerprint = %s"
        assert crawled.query(fresh, job.seen[TOPIC])[0][0] == rescoring.MAX_BATCHES  # type: ignore[index]
        assert job.pending
        runs = 1
        while job.pending:
            job()
            runs += 1
        assert runs == -(-stories // rescoring.MAX_BATCHES) + (stories % rescoring.MAX_BATCHES == 0)
        assert crawled.on_topic() == set()
        assert "scores: up to date" in crawled.pantau("status", topics_dir=topics_dir).stdout

        job()  # nothing changed: nothing read
        assert not job.pending
        set_threshold(topics_dir, 3.0)  # the topics folder changes
        while True:
            job()
            if not job.pending:
                break
    assert crawled.on_topic() == before


def test_the_daemon_rescores_at_start_and_when_the_topics_folder_changes(
    crawled: Crawled, tmp_path: Path
) -> None:
    before = crawled.on_topic()
    topics_dir = crawled.topics_dir("daemon")
    set_threshold(topics_dir, 1000)
    config = tmp_path / "pantau.toml"
    config.write_text(
        f'topics_dir = "{topics_dir}"\n[crawl]\nsites = []\n[rescore]\ncheck_seconds = 0.2\n', "utf-8"
    )
    log = tmp_path / "daemon.log"
    with log.open("wb") as err:
        proc = start_pantau(
            "run", config=config, database_url=crawled.database_url, data_dir=tmp_path / "data", stderr=err
        )
    try:
        wait_for(lambda: not crawled.on_topic(), 60, "the daemon's rescore at start (threshold 1000)")
        set_threshold(topics_dir, 3.0)
        wait_for(lambda: crawled.on_topic() == before, 60, "the daemon's rescore after the topic changed")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    text = log.read_text(encoding="utf-8")
    assert proc.returncode == 0, text[-3000:]
    assert "topic files changed: rescoring out-of-date stories in the background" in text
    assert "background rescore done:" in text
