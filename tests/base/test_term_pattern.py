"""Grouping a term alternation by first letter finds exactly what the flat alternation finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pantau.base import topics
from pantau.base.settings import PACKAGE_TOPICS_DIR

FILES = Path(__file__).resolve().parent.parent / "files"
LABELLED = [json.loads(line) for line in (FILES / "topics" / "labelled.jsonl").read_text().splitlines()]
SHIPPED = [group.terms for spec in topics.load_topic_specs(PACKAGE_TOPICS_DIR) for group in spec.groups]
ODD_GROUPS = [
    # one letter and its longer terms, names and words sharing letters, a non-ASCII first letter
    ["k", "ke", "Korea", "korea utara", "Kim Jong Un", "KN-23", "kerja sama", "Korut"],
    ["Élysée", "État", "élite", "senjata", "Rusia"],
    ["rudal", "rudal balistik", "rudal-rudal", "Rudal", "persenjataan", "senjata"],
]
TEXTS = [f"{story['title']}\n{story['text']}" for story in LABELLED] + [
    "Rudal-rudal balistik KN-23, kerjasama militer dan KERJA SAMA militer; ke Korea-Utara, Élysée, "
    "État, persenjataannya, bersenjata, mempersenjatai, k. Kim Jong-un, Korutnya, korea\nutara",
]


def flat(branches: list[tuple[str, str]]) -> str:
    return "|".join(initial + rest for initial, rest in branches)


def matches(pattern: str, text: str) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.lastgroup) for m in re.finditer(pattern, text, re.IGNORECASE)]


@pytest.mark.parametrize("terms", SHIPPED + ODD_GROUPS)
@pytest.mark.parametrize("capture", [True, False])
def test_grouped_and_flat_alternations_match_alike(terms, capture, monkeypatch):
    grouped = topics.term_pattern(terms, capture=capture)
    monkeypatch.setattr(topics, "_alternation", flat)
    plain = topics.term_pattern(terms, capture=capture)
    for text in TEXTS:
        for variant in (text, text.upper(), text.lower()):
            assert matches(grouped, variant) == matches(plain, variant)


def test_terms_are_grouped_by_first_letter():
    assert "s(?:" in topics.term_pattern(["senjata", "sanksi"])


def test_a_first_letter_outside_ascii_keeps_the_flat_alternation():
    pattern = topics.term_pattern(["élite", "senjata", "sanksi"])
    assert "s(?:" not in pattern  # no grouping when one branch has no ASCII first letter
    assert matches(pattern, "sanksi untuk élite") == [(0, 6, None), (13, 18, None)]
