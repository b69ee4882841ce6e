"""Measure a topic against a labelled JSON Lines file: the topic vs the plain-AND baseline, and speed.

Usage: python bench/topics.py FILE.jsonl [--topic NAME] [--scores]
Prints precision/recall/F1 on all stories and on those not marked "ambiguous", for the topic and for
the plain AND of its required groups, then the scoring speed (stories per second).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.cli.topic import DEFAULT_TOPIC, LabelledStory, baseline, evaluate, pick_topic, read_labelled
from pantau.pipelines.topics import Topic, load_topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--topic", default=DEFAULT_TOPIC)
    parser.add_argument("--topics-dir", type=Path, default=PACKAGE_TOPICS_DIR)
    parser.add_argument("--scores", action="store_true", help="print every story's score, sorted")
    args = parser.parse_args()
    topic = pick_topic(load_topics(args.topics_dir), args.topic)
    stories = read_labelled(args.file)
    scores = {s.id: topic.score(s.title, s.text) for s in stories}
    for subset, chosen in (("all", stories), ("unambiguous", [s for s in stories if not s.ambiguous])):
        ours = evaluate(chosen, lambda s: scores[s.id].on_topic)
        plain = evaluate(chosen, lambda s: baseline(topic, s))
        print(f"{subset:12} n={len(chosen):3}  topic    fp={ours.fp} fn={ours.fn}  {ours.figures()}")
        print(f"{subset:12} n={len(chosen):3}  baseline fp={plain.fp} fn={plain.fn}  {plain.figures()}")
    if args.scores:
        for s in sorted(stories, key=lambda s: scores[s.id].score):
            mark = "?" if s.ambiguous else " "
            print(f"{scores[s.id].score:6.2f} {int(s.label)}{mark} {s.id} {s.title[:70]}")
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        for s in stories:
            topic.score(s.title, s.text)
    elapsed = time.perf_counter() - started
    each = elapsed / rounds / len(stories)
    print(f"speed: {1 / each:,.0f} stories/s ({each * 1e6:.0f} µs each)")
    odd_text(topic, stories, each)


def odd_text(topic: Topic, stories: list[LabelledStory], each: float) -> None:
    """Time the largest odd input of tests/pipelines/test_relevance.py against a labelled story."""
    title, text = "x" * 5000, "Korea Utara " * 50_000 + "Rusia rudal"  # 600 kB of one repeated name
    started = time.perf_counter()
    topic.score(title, text)
    took = time.perf_counter() - started
    longer = (len(title) + len(text)) / (sum(len(s.title) + len(s.text) for s in stories) / len(stories))
    ratio = took / each / longer
    print(
        f"odd text ({len(text) // 1000} kB repeat): {took * 1000:.0f} ms = {took / each:,.0f}x a labelled"
        f" story for {longer:,.0f}x its length (time/length {ratio:.2f}; above 1: worse than linear)"
    )


if __name__ == "__main__":
    main()
