"""`pantau reextract` over a crawl of the replay world: the archive follows changed site rules."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pantau.base import sites
from tests.support.reprocess import Crawled, crawl_replay

pytestmark = pytest.mark.slow  # one subprocess crawl of the four sites per module
SNAPSHOT = "SELECT id, xmin::text, title, body, version, updated_at FROM articles ORDER BY id"
SCORES = "SELECT article_id, topic, xmin::text FROM article_topics ORDER BY 1, 2"


@pytest.fixture(scope="module")
def crawled(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    return crawl_replay(database_url, tmp_path_factory.mktemp("reextract"))


@pytest.fixture
def site_files(tmp_path: Path) -> Iterator[Path]:
    """A sites_dir of this test's own: edited copies of shipped site files replace them."""
    target = tmp_path / "sites"
    target.mkdir()
    for name in ("detik", "kompas"):
        shutil.copy(sites.SHIPPED_SITES_DIR / f"{name}.toml", target)
    yield target
    sites.use_registry(sites.load_registry(sites.SHIPPED_SITES_DIR))  # in-process commands set it


def _rows(stdout: str) -> dict[str, list[int]]:
    """The per-site rows: {site: [stories, changed, title, lead, text, dates, language, failed]}."""
    found = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) == 9 and cells[0] in sites.site_names():
            found[cells[0]] = [int(cell) for cell in cells[1:]]
    return found


def test_reextract_with_unchanged_rules_writes_nothing(crawled: Crawled) -> None:
    before, scores = crawled.query(SNAPSHOT), crawled.query(SCORES)
    result = crawled.pantau("reextract")
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert set(rows) == set(sites.site_names())
    for site, row in rows.items():
        stored = crawled.query("SELECT count(*) FROM articles WHERE site = %s", site)[0][0]
        assert row == [stored, 0, 0, 0, 0, 0, 0, 0], site
    assert crawled.query(SNAPSHOT) == before, "no stored story was written (same row versions)"
    assert crawled.query(SCORES) == scores


def test_changed_rules_update_the_text_in_place_without_a_version_and_rescore(
    crawled: Crawled, site_files: Path
) -> None:
    detik = site_files / "detik.toml"
    text = detik.read_text(encoding="utf-8")
    detik.write_text(text.replace("cut_after = []", "cut_after = ['(?i).*\\bWagner\\b.*']"), "utf-8")
    before, scores = crawled.query(SNAPSHOT), crawled.query(SCORES)

    dry = crawled.pantau("reextract", "detik", "--dry-run", sites_dir=site_files)
    assert dry.exit_code == 0, dry.output
    rows = _rows(dry.stdout)
    assert set(rows) == {"detik"}
    stories, changed, _title, _lead, text_changed, *_rest = rows["detik"]
    assert changed >= 1
    assert text_changed == changed
    assert "--- text (stored)" in dry.stdout
    assert "+++ text (now)" in dry.stdout
    assert "dry run: nothing was written" in dry.stdout
    assert crawled.query(SNAPSHOT) == before

    result = crawled.pantau("reextract", "detik", sites_dir=site_files)
    assert result.exit_code == 0, result.output
    assert _rows(result.stdout)["detik"][:2] == [stories, changed]
    assert f"rescored with the new text: {changed} changed stor" in result.stdout
    after = {row[0]: row for row in crawled.query(SNAPSHOT)}
    edited = [row for row in before if after[row[0]][3] != row[3]]
    assert len(edited) == changed
    for row in edited:
        assert "Wagner" in str(row[3])
        assert "Wagner" not in str(after[row[0]][3])
        assert after[row[0]][4:] == (1, None), "no new version, no update time: no 'updated' digest entry"
    assert crawled.query("SELECT count(*) FROM article_versions")[0][0] == 0
    rescored = {row[0] for row in crawled.query(SCORES)} & {row[0] for row in edited}
    assert rescored == {row[0] for row in edited}
    assert [r for r in crawled.query(SCORES) if r[0] not in rescored] == [
        r for r in scores if r[0] not in rescored
    ], "stories whose extraction did not change are not rescored"

    again = crawled.pantau("reextract", "detik", sites_dir=site_files)
    assert _rows(again.stdout)["detik"][1] == 0, "a second run finds nothing left to change"
    detik.write_text(text, "utf-8")  # the shipped rules again: the stories get their crawled text back
    sites.read_site_file.cache_clear()  # a new process would read the file anew
    restored = crawled.pantau("reextract", "detik", sites_dir=site_files)
    assert _rows(restored.stdout)["detik"][1] == changed
    assert [row[3] for row in crawled.query(SNAPSHOT)] == [row[3] for row in before]


def test_a_story_the_rules_cannot_extract_any_more_keeps_its_text_and_is_named(
    crawled: Crawled, site_files: Path
) -> None:
    kompas = site_files / "kompas.toml"
    kompas.write_text(
        kompas.read_text("utf-8").replace("\n[extraction]\n", "\n[extraction]\nmin_body_chars = 100000\n", 1),
        "utf-8",
    )
    before = crawled.query(SNAPSHOT)
    result = crawled.pantau("reextract", "kompas", sites_dir=site_files)
    assert result.exit_code == 0, result.output
    stored = crawled.query("SELECT canonical_url FROM articles WHERE site = 'kompas' ORDER BY id")
    assert _rows(result.stdout)["kompas"] == [len(stored), 0, 0, 0, 0, 0, 0, len(stored)]
    for (url,) in stored:
        assert f"kompas: cannot extract {url}: body too short after cleaning" in result.stdout
    assert crawled.query(SNAPSHOT) == before


def test_a_broken_site_file_stops_before_anything_is_written(crawled: Crawled, site_files: Path) -> None:
    detik = site_files / "detik.toml"
    detik.write_text(
        detik.read_text("utf-8").replace(
            'body = ["div.detail__body-text"', 'body = ["[[[", "div.detail__body-text"'
        ),
        "utf-8",
    )
    before = crawled.query(SNAPSHOT)
    result = crawled.pantau("reextract", sites_dir=site_files)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"pantau: error: site file {detik}: invalid selector '[[['")
    assert result.stderr.count("\n") == 1
    assert crawled.query(SNAPSHOT) == before
    unknown = crawled.pantau("reextract", "tempo", sites_dir=site_files)
    assert unknown.exit_code == 2
    topics = crawled.workdir / "broken-topics"
    topics.mkdir(exist_ok=True)
    (topics / "x.toml").write_text('name = "y"\ntitle = "x"\nthreshold = 1\n', "utf-8")
    detik.write_text(detik.read_text("utf-8").replace('["[[[", ', "["), "utf-8")
    sites.read_site_file.cache_clear()
    topic = crawled.pantau("reextract", "detik", topics_dir=topics, sites_dir=site_files)
    assert topic.exit_code == 2
    assert topic.stderr.startswith(f"pantau: error: topic file {topics / 'x.toml'}: ")
    detik.write_text("[extraction\n", "utf-8")
    sites.read_site_file.cache_clear()
    syntax = crawled.pantau("reextract", "detik", sites_dir=site_files)
    assert syntax.exit_code == 2
    assert syntax.stderr.startswith(f"pantau: error: site file {detik} is not valid TOML: ")
