"""What changed between a story's versions, word by word, for the story page."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CONTEXT_WORDS = 8  # unchanged words kept on each side of a change; the rest become "…"

# How a story's publication date was found (the extractor's date_source), for readers.
DATE_SOURCES = {
    "jsonld": "the page's structured data (JSON-LD datePublished)",
    "meta": "the page's meta tags",
    "visible": "the date printed on the page",
    "url": "the date in the story's URL",
    "listing": "the listing (sitemap or index) that linked the story",
}


@dataclass(frozen=True)
class Change:
    """One version against the next: when it was replaced, and the pieces of the readable diff."""

    version: int
    replaced_at: datetime | None
    title: tuple[str, str] | None  # (old, new) when the title changed
    pieces: list[tuple[str, str]]  # ("same" | "del" | "ins" | "gap", text)


def date_provenance(source: str | None) -> str:
    """Where the publication date came from, in words ('unknown' when the extractor kept none)."""
    if not source:
        return "unknown: no date was found on the page"
    key = source.split(":", 1)[0]
    described = DATE_SOURCES.get(key)
    return f"{described} ({source})" if described else source


def _text(version: dict[str, Any]) -> str:
    return "\n".join(part for part in (version.get("lead"), version["body"]) if part)


def _same(words: list[str], first: bool, last: bool) -> list[tuple[str, str]]:
    """Unchanged words, shortened to CONTEXT_WORDS next to each change."""
    if len(words) <= CONTEXT_WORDS * 2:
        return [("same", " ".join(words))]
    head = [] if first else [("same", " ".join(words[:CONTEXT_WORDS]))]
    tail = [] if last else [("same", " ".join(words[-CONTEXT_WORDS:]))]
    return [*head, ("gap", "…"), *tail]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The pieces turning `old` into `new`: deleted and inserted words, unchanged ones around them
    (pieces are words joined by single spaces; the page puts a space between pieces)."""
    a, b = old.split(), new.split()
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    pieces: list[tuple[str, str]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            pieces += _same(a[i1:i2], index == 0, index == len(ops) - 1)
            continue
        if i2 > i1:
            pieces.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", " ".join(b[j1:j2])))
    return pieces


def changes(current: dict[str, Any], versions: list[dict[str, Any]]) -> list[Change]:
    """Each earlier version (newest first) against the text that replaced it."""
    chain = [current, *versions]  # newest first: chain[n] replaced chain[n + 1]
    result = []
    for newer, older in itertools.pairwise(chain):
        title = (older["title"], newer["title"]) if older["title"] != newer["title"] else None
        pieces = word_diff(_text(older), _text(newer))
        result.append(Change(older["version"], older.get("replaced_at"), title, pieces))
    return result
