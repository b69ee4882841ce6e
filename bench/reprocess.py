"""Reprocessing rates on a generated archive: rescoring and re-extraction against the bare stages.

Usage: PYTHONPATH=. python bench/reprocess.py [--stories 200000] [--pages 2000]

An embedded PostgreSQL in a temp dir holds `--stories` stories made from the generated pages of
bench/pipeline.py (each page extracted once; every story its own row, unscored). Prints, each
measured in this run:
- rescoring: stories/s of `pantau rescore`'s engine over the whole archive, against the bare
  scoring rate (Topic.score in a loop over the same texts, as bench/topics.py measures it);
- re-extraction: stories/s of `pantau reextract`'s engine over the `--pages` stories that keep raw
  HTML, against the bare chain (extract_article + detect_language, as bench/pipeline.py's "ours");
- the daemon's resident memory (VmRSS) while `pantau run` rescores the whole archive in the
  background after a topic file changed: at start, peak, and at the end.
The ratios say whether the database is the bottleneck (aim: >= 0.8).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
import zlib
from pathlib import Path

import psycopg

from bench.pipeline import generate
from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.base.sites import load_site_data
from pantau.pipelines import reextract, rescore
from pantau.pipelines.extract import extract_article
from pantau.pipelines.language import detect_language, html_lang
from pantau.pipelines.rules import ExtractionRules
from pantau.pipelines.topics import load_topics
from pantau.storage import reprocess as store
from pantau.storage.db import Database, Timeouts
from pantau.storage.migrate import migrate
from tests.support.helpers import ROOT, pantau_env

TEMPLATES = 400  # distinct generated pages the stories are made of
INSERT = """
INSERT INTO articles (site, site_article_id, canonical_url, url, title, lead, body, published_at,
                      date_source, language, language_prob, content_hash, simhash, raw_html, first_seen_at)
SELECT t.site, 'b' || g, t.url || '?n=' || g, t.url, t.title, t.lead, t.body, t.published_at,
       t.date_source, t.language, t.language_prob, md5(g::text), g,
       CASE WHEN g <= %(with_html)s::bigint THEN t.raw_html END, now()
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
JOIN bench_templates t ON t.n = g %% %(templates)s
"""


def build(db: Database, stories: int, with_html: int) -> list[tuple[str, str, str, str]]:
    """Fill the archive; returns the templates' (site, url, html, title+body) for the bare rates."""
    pages = generate(TEMPLATES)
    rules = {site: ExtractionRules.from_mapping(load_site_data(site)) for site, _, _ in pages}
    rows, bare = [], []
    for n, (site, url, html) in enumerate(pages):
        found = extract_article(html, url, rules[site])
        language, probability = detect_language(found.text, html_lang(html))
        dates = (found.published_at, found.date_source, language, probability)
        rows.append((n, site, url, found.title, found.lead, found.text, *dates, zlib.compress(html.encode())))
        bare.append((site, url, html, found.title + "\n" + found.text))
    with db.connection() as conn:
        conn.execute(
            "CREATE TABLE bench_templates (n int, site text, url text, title text, lead text, body text,"
            " published_at timestamptz, date_source text, language text, language_prob real, raw_html bytea)"
        )
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO bench_templates VALUES ({', '.join(['%s'] * 11)})", rows)
        for first in range(1, stories + 1, 10_000):
            params = {"first": first, "last": min(first + 9_999, stories), "templates": TEMPLATES}
            conn.execute(INSERT, {**params, "with_html": with_html})
        conn.execute("VACUUM ANALYZE articles")
    return bare


def bare_scoring_rate(texts: list[tuple[str, str]], rounds: int = 5) -> float:
    """Stories/s of Topic.score alone (every topic), on the archive's texts."""
    topics = load_topics(PACKAGE_TOPICS_DIR)
    started = time.perf_counter()
    for _ in range(rounds):
        for title, body in texts:
            for topic in topics:
                topic.score(title, body)
    return rounds * len(texts) / (time.perf_counter() - started)


def bare_extraction_rate(pages: list[tuple[str, str, str, str]]) -> float:
    """Stories/s of extract_article + detect_language alone, on the archive's pages."""
    rules = {site: ExtractionRules.from_mapping(load_site_data(site)) for site, _, _, _ in pages}
    started = time.perf_counter()
    for site, url, html, _ in pages:
        found = extract_article(html, url, rules[site])
        detect_language(found.text, html_lang(html))
    return len(pages) / (time.perf_counter() - started)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def daemon_memory(url: str, tmp: Path, stories: int) -> tuple[float, float, float, float]:
    """(RSS at first sample, peak, at the end, seconds) of `pantau run` rescoring a changed topic."""
    topics = tmp / "topics"
    shutil.copytree(PACKAGE_TOPICS_DIR, topics)
    path = topics / "nk-russia-arms.toml"
    path.write_text(path.read_text().replace("threshold = 3.0", "threshold = 3.5"))
    config = tmp / "pantau.toml"
    config.write_text(f'topics_dir = "{topics}"\n[crawl]\nsites = []\n[rescore]\ncheck_seconds = 0.5\n')
    env = pantau_env(config=config, database_url=url, data_dir=tmp / "data", PYTHONPATH=str(ROOT))
    fingerprints = rescore.fingerprints(load_topics(topics))
    proc = subprocess.Popen([sys.executable, "-m", "pantau", "run"], env=env, stderr=subprocess.DEVNULL)
    samples, started = [], time.perf_counter()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            while True:
                time.sleep(1.0)
                samples.append(rss_mb(proc.pid))
                fresh = conn.execute(
                    "SELECT count(*) FROM article_topics WHERE fingerprint = %s",
                    (fingerprints["nk-russia-arms"],),
                ).fetchone()
                if fresh and fresh[0] >= stories:
                    break
        took = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    return samples[0], max(samples), samples[-1], took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=2000, help="stories that keep raw HTML (re-extracted)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as name:
        tmp = Path(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver  # type: ignore[import-untyped, unused-ignore]
        server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")  # type: ignore[attr-defined, unused-ignore]
        try:
            url = server.get_uri()
            with Database(url, app_name="pantau-bench", max_size=2, timeouts=Timeouts(statement=3600)) as db:
                migrate(db)
                started = time.perf_counter()
                pages = build(db, args.stories, args.pages)
                print(
                    f"archive: {args.stories} stories ({args.pages} with raw HTML) built in "
                    f"{time.perf_counter() - started:.0f} s"
                )
                texts = [
                    (title_body.split("\n", 1)[0], title_body.split("\n", 1)[1]) for *_, title_body in pages
                ]
                scoring = bare_scoring_rate(texts)
                topics = load_topics(PACKAGE_TOPICS_DIR)
                started = time.perf_counter()
                report = rescore.rescore(db, topics, overlap=True)  # as `pantau rescore` runs it
                rate = report.stories / (time.perf_counter() - started)
                print(
                    f"rescore:    {rate:7.0f} stories/s over {report.stories} stories; bare scoring "
                    f"{scoring:7.0f} stories/s; ratio {rate / scoring:.2f}"
                )
                extraction = bare_extraction_rate(pages)
                rules = reextract.check_rules(["okezone", "detik", "bisnis", "kompas"])
                started = time.perf_counter()
                done = reextract.reextract(db, rules, topics)
                rate = done.done / (time.perf_counter() - started)
                changed = sum(t.changed for t in done.sites.values())
                print(
                    f"reextract:  {rate:7.0f} stories/s over {done.done} stories ({changed} changed); bare "
                    f"extraction {extraction:7.0f} stories/s; ratio {rate / extraction:.2f}"
                )
                with db.connection() as conn:
                    assert store.count_stale(conn, rescore.fingerprints(topics), None) == 0
            first, peak, last, took = daemon_memory(url, tmp, args.stories)
            print(
                f"daemon background rescore of {args.stories} stories: {took:.0f} s "
                f"({args.stories / took:.0f} stories/s); RSS first {first:.0f} MB, peak {peak:.0f} MB, "
                f"end {last:.0f} MB"
            )
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
