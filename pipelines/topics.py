"""Topics as data: a TOML file of term groups, compiled once, scoring a story with an explanation.

A topic names term groups. ``required`` groups must all occur within a few consecutive sentences
for that passage to count as evidence that the story is *about* the topic (a passing mention of one
country in a story about the other does not). ``context`` groups (tourism, sport, ...) lower the score
while the evidence is thin. The body is cleaned first: related-article links ("Baca juga: ...") and
advertising lines are not the story's subject and are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pantau.base.models import TopicScore
from pantau.base.topics import load_topic_spec, load_topic_specs, term_pattern, topic_fingerprint

if TYPE_CHECKING:
    from pathlib import Path

    from pantau.base.topics import GroupSpec, TopicSpec

# Words before a headline's colon that are a speaker ("Intelijen AS:"), not the subject.
_ATTRIBUTION_WORDS = 3
# Scoring reads this much of a body: stories are far shorter, and it bounds the time on junk input.
MAX_TEXT_CHARS = 100_000
MAX_SENTENCES = 2_000  # and this many sentences (a page of one-word lines)
# Lines (or the rest of a line) that point at other stories or ads, not at this story's subject.
_NOT_STORY = re.compile(  # [ \t], not \s: a match never runs over a line end (nor rescans blank lines)
    # The lookahead on the first letters lets most positions fail at one test (half the time).
    r"(?:(?=[abcklst])(?:(?<!\w)(?:(?:baca|simak|lihat|tonton|cek|klik)"
    r"(?:[ \t]+(?:juga|pula|selengkapnya|video|berita))+\b"
    r"|(?:berita|artikel|topik)[ \t]+terkait\b|baca[ \t]*:)|advertisement|scroll to continue)"
    r"|^[ \t]*(?:[•»›▶►]|-[ \t]))[^\n]*",
    re.IGNORECASE | re.MULTILINE,
)
# A sentence ends at . ! ? (optionally closing a quote) before a capital, digit or opening quote;
# extraction sometimes glues paragraphs ("ke Moskow.Sebuah pernyataan"), so no space is needed there.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|(?<=[a-z][.!?])(?=[A-Z][a-z])")
# Text without punctuation is cut into pieces of about this many characters, so that "near each
# other" keeps its meaning on a page whose sentences could not be found.
_LONGEST_SENTENCE = 400


@dataclass(frozen=True)
class TermGroup:
    """A group's terms compiled into one alternation; a match names its term by group index."""

    name: str
    role: str
    penalty: float
    terms: tuple[str, ...]
    pattern: re.Pattern[str]

    @classmethod
    def compile(cls, spec: GroupSpec) -> TermGroup:
        """Compile a group spec into one case-insensitive regex."""
        terms = tuple(dict.fromkeys(spec.terms))
        pattern = re.compile(term_pattern(terms, capture=True), re.IGNORECASE)
        return cls(spec.name, spec.role, spec.penalty, terms, pattern)

    def find(self, text: str) -> list[tuple[int, str]]:
        """(offset, term as written in the topic file) of every match in text."""
        return [(m.start(), self.terms[int(str(m.lastgroup)[1:])]) for m in self.pattern.finditer(text)]


@dataclass
class Sentence:
    """One sentence of the cleaned body, with the terms of each group found in it."""

    text: str
    terms: dict[str, list[str]] = field(default_factory=dict)


def story_sentences(title: str, text: str) -> list[Sentence]:
    """The body's sentences, without related-article links, ads, or a first line repeating the title."""
    body = _NOT_STORY.sub("", text[:MAX_TEXT_CHARS])
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if lines and _same_title(lines[0], title):
        lines = lines[1:]
    parts = (part for line in lines for part in _SENTENCE_END.split(line))
    sentences = [Sentence(piece) for part in parts for piece in _pieces(part.strip()) if piece]
    return sentences[:MAX_SENTENCES]


def _pieces(sentence: str) -> list[str]:
    """The sentence, or cuts of it at spaces no longer than _LONGEST_SENTENCE (a word may be longer)."""
    if len(sentence) <= _LONGEST_SENTENCE:
        return [sentence]
    pieces, current = [], ""
    for word in sentence.split():
        if current and len(current) + len(word) >= _LONGEST_SENTENCE:
            pieces.append(current)
            current = ""
        current = f"{current} {word}" if current else word
    return [*pieces, current] if current else pieces


def _same_title(line: str, title: str) -> bool:
    def norm(value: str) -> str:
        return " ".join(value.casefold().split())

    line, title = norm(line), norm(title)
    return bool(line) and (line == title or (len(line) > 20 and title.startswith(line)))


def _joined(sentences: list[Sentence]) -> str:
    """The sentences as one text, one per line."""
    return "\n".join(sentence.text for sentence in sentences)


def _tag(sentences: list[Sentence], groups: Iterable[TermGroup]) -> bool:
    """Record in each sentence the terms of each group it contains (one regex pass per group).

    Stops at the first group found nowhere, and returns whether every group was found.
    """
    joined = _joined(sentences)
    starts, offset = [], 0
    for sentence in sentences:
        starts.append(offset)
        offset += len(sentence.text) + 1
    for group in groups:
        found = group.find(joined)
        if not found:
            return False
        for at, term in found:
            sentences[bisect_right(starts, at) - 1].terms.setdefault(group.name, []).append(term)
    return True


@dataclass
class _Evidence:
    """What one story shows for one topic, before it becomes a score."""

    title_groups: set[str]
    body: float
    sentences: list[Sentence]
    title_terms: list[str]
    body_terms: Counter[str]


def headline_subject(title: str) -> str:
    """The title without a leading attribution ("Intelijen AS: Rusia Beli Roket" -> "Rusia Beli Roket").

    Indonesian headlines put the speaker before a colon; the speaker is who said it, not what the
    story is about. Only short prefixes (up to three words) are speakers.
    """
    head, colon, rest = title.partition(":")
    if colon and rest.strip() and len(head.split()) <= _ATTRIBUTION_WORDS:
        return rest
    return title


class Topic:
    """A compiled topic: scores (title, text) pairs. Immutable and safe to share across threads."""

    def __init__(self, spec: TopicSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.title = spec.title
        self.threshold = spec.threshold
        self.fingerprint = topic_fingerprint(spec)
        self.groups = tuple(TermGroup.compile(group) for group in spec.groups)
        self.required = tuple(group for group in self.groups if group.role == "required")
        self.context = tuple(group for group in self.groups if group.role == "context")

    def __repr__(self) -> str:
        return f"Topic({self.name!r})"

    def score(self, title: str, text: str) -> TopicScore:
        """Score one story; never raises on arbitrary text. matched_terms explain the score."""
        evidence = self._evidence((title or "")[:_LONGEST_SENTENCE], text or "")
        score = min(evidence.body, self.spec.scoring.body_cap) + self._title_score(evidence)
        # Other subjects lower thin evidence only, and never below zero: read them only then.
        if 0 < score < self.spec.scoring.context_below:
            context_terms = self._context_terms(evidence.sentences)
            score -= sum(g.penalty for g in self.context if context_terms.intersection(g.terms))
        score = round(max(score, 0.0), 3)
        terms = [*evidence.title_terms, *(term for term, _ in evidence.body_terms.most_common())]
        return TopicScore(
            score=score,
            on_topic=score >= self.threshold,
            matched_terms=list(dict.fromkeys(terms)),
            fingerprint=self.fingerprint,
        )

    def _title_score(self, evidence: _Evidence) -> float:
        scoring = self.spec.scoring
        missing = {group.name for group in self.required} - evidence.title_groups
        if not missing:
            return scoring.title_weight
        if len(missing) > 1 or evidence.body == 0:
            return 0.0
        if scoring.relation and set(scoring.relation) <= evidence.title_groups:
            return scoring.relation_title_weight
        return scoring.title_partial_weight

    def _evidence(self, title: str, text: str) -> _Evidence:
        scoring = self.spec.scoring
        title_hits = {g.name: [term for _, term in g.find(headline_subject(title))] for g in self.required}
        title_groups = {name for name, hits in title_hits.items() if hits}
        title_terms = [term for hits in title_hits.values() for term in hits]
        sentences = story_sentences(title, text)
        body, body_terms = 0.0, Counter[str]()
        # A passage counts only when it holds every required group: one group absent from the
        # whole body means no passage does, and the other groups need not be looked for.
        if not _tag(sentences, self.required):
            return _Evidence(title_groups, body, sentences, title_terms, body_terms)
        # Windows overhang both ends, so every sentence is in `window` of them: the first sentence
        # weighs as much as a middle one, and one sentence naming all groups outweighs a pair.
        for start in range(1 - scoring.window, len(sentences)):
            index = max(start, 0)
            window = sentences[index : start + scoring.window]
            found = {g.name: [t for s in window for t in s.terms.get(g.name, ())] for g in self.required}
            if all(found.values()):
                body += scoring.lead_weight if index < scoring.lead_sentences else scoring.body_weight
                for found_terms in found.values():
                    body_terms.update(found_terms)
        return _Evidence(title_groups, body, sentences, title_terms, body_terms)

    def _context_terms(self, sentences: list[Sentence]) -> set[str]:
        """The terms of the context groups found in the body."""
        joined = _joined(sentences)
        return {term for group in self.context for _, term in group.find(joined)}

    def highlight_patterns(self, terms: Iterable[str] | None = None) -> list[re.Pattern[str]]:
        """Case-insensitive patterns finding the given terms (default: all required terms) in text."""
        wanted = list(terms) if terms is not None else [t for g in self.required for t in g.terms]
        return [re.compile(term_pattern([term]), re.IGNORECASE) for term in dict.fromkeys(wanted)]


def load_topics(directory: Path) -> list[Topic]:
    """Every topic file in a folder, compiled, sorted by name; ConfigError if none or one is bad."""
    return [Topic(spec) for spec in load_topic_specs(directory)]


def load_topic(path: Path) -> Topic:
    """One topic file, compiled; ConfigError names the file and the bad key."""
    return Topic(load_topic_spec(path))
