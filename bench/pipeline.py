"""Throughput of our per-page pipeline chain against bare trafilatura, on the same generated pages.

Usage: python bench/pipeline.py [--pages 2000] [--profile]

Pages are the four current-template golden pages of tests/files/extraction with their body
paragraphs shuffled and numbered per page (so no two pages are alike). "ours" is what a fetched
article goes through: extract_article (parse once, metadata, site clean-up, trafilatura on the
story's container, text clean-up) + detect_language, and, when those modules exist, topic scoring
(pipelines.relevance) and fingerprints (pipelines.deduplicate). "bare" is trafilatura.extract(html)
with its defaults. Prints pages/second of each and the ratio ours/bare.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import pstats
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from pantau.base.sites import load_site_data
from pantau.pipelines.extract import extract_article
from pantau.pipelines.language import detect_language, html_lang
from pantau.pipelines.rules import ExtractionRules

FILES = Path(__file__).resolve().parent.parent / "tests" / "files" / "extraction"
TEMPLATES = ("detik_multicard", "kompas_page_all", "okezone_jumat", "bisnis_two_pages")
PARAGRAPH = re.compile(r"<p>([^<]{60,})</p>")  # plain story paragraphs (not datelines or promos)


def generate(count: int) -> list[tuple[str, str, str]]:
    """(site, url, html) for ``count`` pages, varied deterministically from the golden pages."""
    sources = []
    for name in TEMPLATES:
        case = json.loads((FILES / f"{name}.json").read_text(encoding="utf-8"))
        sources.append((case["site"], case["url"], (FILES / f"{name}.html").read_text(encoding="utf-8")))
    pages = []
    for number in range(count):
        site, url, html = sources[number % len(sources)]
        texts = PARAGRAPH.findall(html)
        random.Random(number).shuffle(texts)
        replacements = iter(f"<p>{text} (nomor {number})</p>" for text in texts)
        pages.append((site, url, PARAGRAPH.sub(lambda _m, r=replacements: next(r), html)))
    return pages


def optional_stages() -> tuple[list[str], Callable[[str, str], object]]:
    """The later stages that exist in this tree, and one function running them on (title, text)."""
    names, steps = [], []
    if importlib.util.find_spec("pantau.pipelines.relevance"):
        from pantau.base.settings import PACKAGE_TOPICS_DIR
        from pantau.pipelines.topics import load_topics

        topics = load_topics(PACKAGE_TOPICS_DIR)
        names.append(f"relevance ({len(topics)} topic(s))")
        steps.append(lambda title, text: [t.score(title, text) for t in topics])
    if importlib.util.find_spec("pantau.pipelines.deduplicate"):
        from pantau.base.fingerprints import content_hash, simhash

        names.append("deduplicate (content_hash + simhash)")
        steps.append(lambda _title, text: (content_hash(text), simhash(text)))
    return names, lambda title, text: [step(title, text) for step in steps]


STAGE_SECONDS: dict[str, float] = {"extract": 0.0, "language": 0.0, "later stages": 0.0}


def run_ours(pages: list[tuple[str, str, str]], later: Callable[[str, str], object]) -> None:
    rules = {site: ExtractionRules.from_mapping(load_site_data(site)) for site in {p[0] for p in pages}}
    clock = time.perf_counter
    for site, url, html in pages:
        start = clock()
        found = extract_article(html, url, rules[site])
        extracted = clock()
        detect_language(found.text, html_lang(html))
        detected = clock()
        later(found.title, found.text)
        STAGE_SECONDS["extract"] += extracted - start
        STAGE_SECONDS["language"] += detected - extracted
        STAGE_SECONDS["later stages"] += clock() - detected


def run_bare(pages: list[tuple[str, str, str]]) -> None:
    for _site, url, html in pages:
        trafilatura.extract(html, url=url)


CHUNK = 50  # pages timed in turn by each chain


def timed_in_turns(
    pages: list[tuple[str, str, str]], later: Callable[[str, str], object]
) -> tuple[float, float]:
    """Seconds of bare and of ours over all pages, the two chains taking turns every CHUNK pages.

    In turns, not one after the other: this machine's speed drifts by a third within a minute, and
    a drift between two long runs showed as a change of the ratio.
    """
    bare = ours = 0.0
    for first in range(0, len(pages), CHUNK):
        chunk = pages[first : first + CHUNK]
        started = time.perf_counter()
        run_bare(chunk)
        middle = time.perf_counter()
        run_ours(chunk, later)
        bare, ours = bare + middle - started, ours + time.perf_counter() - middle
    return bare, ours


def report(label: str, seconds: float, count: int) -> float:
    rate = count / seconds
    print(f"{label:6} {count} pages in {seconds:6.2f} s = {rate:7.1f} pages/s ({1000 / rate:5.2f} ms/page)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print where our chain spends its time")
    args = parser.parse_args()
    pages = generate(args.pages)
    names, later = optional_stages()
    print("ours = extract_article + detect_language" + "".join(f" + {n}" for n in names))
    if not names:
        print("(pipelines.relevance / pipelines.deduplicate not present: not included)")
    run_ours(pages[:20], later)  # warm-up: langdetect profiles, compiled selectors, topic files
    run_bare(pages[:20])
    STAGE_SECONDS.update(dict.fromkeys(STAGE_SECONDS, 0.0))
    bare_seconds, ours_seconds = timed_in_turns(pages, later)
    bare = report("bare", bare_seconds, len(pages))
    ours = report("ours", ours_seconds, len(pages))
    for stage, seconds in STAGE_SECONDS.items():
        print(f"  {stage:13} {1000 * seconds / len(pages):5.2f} ms/page")
    extract_rate = len(pages) / STAGE_SECONDS["extract"]
    print(f"ratio extract_article alone/bare = {extract_rate / bare:.2f}")
    print(f"ratio ours/bare = {ours / bare:.2f} (issue 18 aims at >= 0.90)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run_ours, pages[:400], later)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
