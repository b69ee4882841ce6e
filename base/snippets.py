"""Snippets for readers: whole sentences of a story's lead and body, chosen by the terms they hold.

One builder for every place a story is shown short (digest, feed, search, web view, story page):
sentences holding the most distinct matched terms, about 250-300 characters, `…` between sentences
that are not adjacent, never a cut word, never a passage twice (a lead that repeats the body, or
that the site cut mid-word, is not shown as its own passage). Highlights cover whole words: the word
that holds a matched stem is marked whole (`*persenjataan*`, never `per*senjata*an`).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from pantau.base.topics import term_pattern

MAX_CHARS = 300
MIN_CHARS = 250
ELLIPSIS = "…"
# Search hits carry their snippet as text with these around each highlighted word (storage.search).
MARK_START = "\x02"
MARK_STOP = "\x03"

# A sentence ends at . ! ? (with a closing quote or bracket) before a capital, digit or opening
# quote; extraction sometimes glues paragraphs ("ke Moskow.Sebuah"), so no space is needed there.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|(?<=[a-z][.!?])(?=[A-Z][a-z])")
_FINAL = re.compile(r"[.!?…][\"”’)]*$")
_WORD = re.compile(r"\w+")
# A word, hyphenated compounds included (rudal-rudal, Jong-un): what one highlight covers.
_WHOLE_WORD = re.compile(r"\w+(?:[-\u2010\u2011]\w+)*")
_MARKS = re.compile(f"{MARK_START}(.*?){MARK_STOP}", re.DOTALL)
# A photo caption the extractor let through ends with its credit: "(Foto: Reuters)", "(dok. Reuters)".
_CAPTION = re.compile(r"\((?:foto|dok|ilustrasi|sumber foto)\b[.:]?[^()]*\)$", re.IGNORECASE)
# Markup a site printed as text (`<i>Update</i>`): not words, so not part of a passage's identity.
_TAG = re.compile(r"</?[a-z][a-z0-9]*>", re.IGNORECASE)

Span = tuple[int, int]
# Finds what to highlight in a text: (start, end) offsets; the builder widens them to whole words.
Matcher = Callable[[str], Iterable[Span]]


@dataclass(frozen=True)
class Snippet:
    """A snippet as (text, highlighted) pieces, with its renderings for text, HTML and terminals."""

    pieces: tuple[tuple[str, bool], ...]

    def plain(self) -> str:
        """The text without highlights."""
        return "".join(text for text, _ in self.pieces)

    def starred(self) -> str:
        """Plain-text highlights: `*word*`."""
        return "".join(f"*{text}*" if hit else text for text, hit in self.pieces)

    def html(self) -> str:
        """HTML-escaped, the highlighted words (and only they) in <mark>."""
        return "".join(
            f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text) for text, hit in self.pieces
        )

    def markup(self) -> str:
        """Rich console markup: text escaped, highlighted words bold."""
        from rich.markup import escape

        # Escape each piece on its own: a backslash ending one piece must not escape our tag.
        return "".join(f"[bold]{escape(text)}[/bold]" if hit else escape(text) for text, hit in self.pieces)

    def marked(self) -> str:
        """The text with MARK_START/MARK_STOP around each highlight (how search hits carry it)."""
        return "".join(f"{MARK_START}{text}{MARK_STOP}" if hit else text for text, hit in self.pieces)


def from_marked(text: str) -> Snippet:
    """The snippet of a MARK_START/MARK_STOP-marked text; stray marks are dropped."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _MARKS.finditer(text):
        pieces += [(text[position : match.start()], False), (match.group(1), True)]
        position = match.end()
    pieces.append((text[position:], False))
    strip = str.maketrans("", "", MARK_START + MARK_STOP)
    return Snippet(tuple((piece.translate(strip), hit) for piece, hit in pieces if piece.translate(strip)))


def sentences(text: str) -> list[str]:
    """The sentences of a text, paragraph by paragraph, whitespace collapsed."""
    found = []
    for line in text.splitlines():
        for part in _SENTENCE_END.split(line):
            part = " ".join(part.split())
            if part:
                found.append(part)
    return found


def _key(text: str) -> str:
    """A passage as compared for repeats: its words, casefolded, space-separated and space-padded."""
    return " " + " ".join(_WORD.findall(_TAG.sub("", text).casefold())) + " "


def story_lead(lead: str | None, body: str) -> str | None:
    """The part of the lead that is not in the body, ending on a whole sentence or a whole word + `…`.

    A lead sentence that the body holds (the site's description is often its first paragraph) is
    dropped; a last sentence the site cut short loses its broken word (one the body never has whole).
    """
    if not lead:
        return None
    body_key = _key(body)
    kept = []
    parts = sentences(lead)
    for index, sentence in enumerate(parts):
        last = index == len(parts) - 1
        if last and not _FINAL.search(sentence):
            sentence = _whole_words_only(sentence, body_key)
            if not sentence or _key(sentence.rstrip(ELLIPSIS)) in body_key:
                continue
        elif _key(sentence) in body_key:
            continue
        kept.append(sentence)
    return " ".join(kept) or None


def _whole_words_only(fragment: str, body_key: str) -> str:
    """A sentence the site cut: its last word dropped if it is only the start of a body word, then `…`.

    A site cuts its description where a character count falls (`bantuan Mosk` of `bantuan Moskow`);
    a last word the body has whole, or that begins no word of the body, is the writer's own.
    """
    words = fragment.rstrip(" ,;:-–—").split()
    last = _key(words[-1]).strip() if words else ""
    if last and f" {last} " not in body_key and f" {last}" in body_key:
        words = words[:-1]
    return " ".join(words).rstrip(" ,;:-–—") + ELLIPSIS if words else ""


@dataclass(frozen=True)
class _Unit:
    text: str
    position: int
    terms: frozenset[str]


def _units(lead: str | None, body: str, matcher: Matcher | None, title: str | None) -> list[_Unit]:
    """Lead (what the body lacks) then body sentences, each passage once, with the terms it holds.

    The snippet sits under the title: a body line that repeats it, or a photo caption, is left out.
    """
    seen = {_key(title)} if title else set()
    units: list[_Unit] = []
    text_lines = [line for line in body.splitlines() if not _CAPTION.search(line.strip())]
    for text in [*sentences(story_lead(lead, body) or ""), *sentences("\n".join(text_lines))]:
        key = _key(text)
        if key in seen or not key.strip():
            continue
        seen.add(key)
        terms = frozenset(text[a:b].casefold() for a, b in _spans(text, matcher))
        units.append(_Unit(text, len(units), terms))
    return units


def _choose(units: list[_Unit], max_chars: int, min_chars: int) -> list[_Unit]:
    """Greedy: the sentence adding most new terms (then most terms, then earliest) while it fits."""
    chosen: list[_Unit] = []
    covered: set[str] = set()
    size = -1
    candidates = [u for u in units if u.terms]
    while candidates:
        best = max(candidates, key=lambda u: (len(u.terms - covered), len(u.terms), -u.position))
        candidates.remove(best)
        if chosen and not best.terms - covered:
            break  # nothing new: neighbours of what is chosen read better than another repeat
        if size + 1 + len(best.text) <= max_chars or not chosen:
            chosen.append(best)
            covered |= best.terms
            size += 1 + len(best.text)
    if not chosen and units:
        chosen = [units[0]]
        size = len(units[0].text)
    return _fill(units, chosen, size, max_chars, min_chars)


def _fill(units: list[_Unit], chosen: list[_Unit], size: int, max_chars: int, min_chars: int) -> list[_Unit]:
    """Add the sentences right after (then before) the chosen ones while short of `min_chars`."""
    taken = {u.position for u in chosen}
    for step in (1, -1):
        for unit in sorted(chosen, key=lambda u: u.position * step):
            neighbour = unit.position + step
            while size < min_chars and 0 <= neighbour < len(units) and neighbour not in taken:
                extra = units[neighbour]
                if size + 1 + len(extra.text) > max_chars:
                    break
                taken.add(neighbour)
                size += 1 + len(extra.text)
                neighbour += step
    return [u for u in units if u.position in taken]


def _trim(text: str, matcher: Matcher | None, max_chars: int) -> str:
    """A sentence longer than the snippet: whole words around its first highlight, `…` where cut."""
    spans = _spans(text, matcher)
    centre = spans[0][0] if spans else 0
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    first = next((i for i, (_, end) in enumerate(words) if end > centre), 0)
    lo = hi = first

    def fits(a: int, b: int) -> bool:
        return words[b][1] - words[a][0] <= max_chars - 2  # room for the two `…`

    while lo > 0 and lo > first - 4 and fits(lo - 1, hi):  # a little context before the match
        lo -= 1
    while hi + 1 < len(words) and fits(lo, hi + 1):  # then as much after it as fits
        hi += 1
    while lo > 0 and fits(lo - 1, hi):  # and, at the sentence's end, more before it
        lo -= 1
    piece = text[words[lo][0] : words[hi][1]]
    return (ELLIPSIS if lo > 0 else "") + piece + (ELLIPSIS if hi < len(words) - 1 else "")


def build(
    lead: str | None,
    body: str,
    matcher: Matcher | None = None,
    *,
    title: str | None = None,
    max_chars: int = MAX_CHARS,
    min_chars: int = MIN_CHARS,
) -> Snippet:
    """The snippet of a story shown under `title`: whole sentences holding the matched terms,
    highlighted as whole words."""
    units = _units(lead, body, matcher, title)
    if not units:
        return Snippet(())
    chosen = _choose(units, max_chars, min_chars)
    parts: list[str] = []
    for index, unit in enumerate(chosen):
        if index and unit.position != chosen[index - 1].position + 1:
            parts.append(ELLIPSIS)
        parts.append(unit.text if len(unit.text) <= max_chars else _trim(unit.text, matcher, max_chars))
    return highlight(" ".join(parts), matcher)


def highlight(text: str, matcher: Matcher | None) -> Snippet:
    """The text split into pieces, each word holding a match highlighted whole."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in _spans(text, matcher):
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return Snippet(tuple(pieces))


def _spans(text: str, matcher: Matcher | None) -> list[Span]:
    """The matcher's spans widened to whole words, sorted, overlaps merged."""
    if matcher is None:
        return []
    found = list(matcher(text))
    if not found:  # most sentences of a story hold no match: no need to find its words
        return []
    words = [(m.start(), m.end()) for m in _WHOLE_WORD.finditer(text)]
    ends = [end for _, end in words]
    widened = []
    for start, end in found:
        # The words overlapping [start, end): from the first that ends after `start` (bisect),
        # while they begin before `end`.
        first = bisect_right(ends, start)
        last = first
        while last < len(words) and words[last][0] < end:
            last += 1
        if last > first:
            widened.append((min(start, words[first][0]), max(end, words[last - 1][1])))
    merged: list[Span] = []
    for start, end in sorted(widened):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def term_matcher(terms: Iterable[str]) -> Matcher | None:
    """A matcher for a topic's terms as its scorer matches them (affixes, spacing, hyphen variants).

    Lowercase terms also match inside a longer word (mempersenjatai holds senjata): the builder then
    marks that word whole. Terms written as patterns (`{...}`) are not highlighted.
    """
    wanted = sorted({t.strip() for t in terms if t.strip() and not t.lstrip().startswith("{")}, key=len)
    if not wanted:
        return None
    whole = re.compile(term_pattern(wanted), re.IGNORECASE)
    stems = [t for t in wanted if t == t.lower() and len(t) >= 5 and _WORD.fullmatch(t)]
    inside = re.compile("|".join(re.escape(t) for t in stems), re.IGNORECASE) if stems else None

    def match(text: str) -> list[Span]:
        found = [m.span() for m in whole.finditer(text)]
        if inside is not None:
            found += [m.span() for m in inside.finditer(text)]
        return found

    return match


def word_matcher(words: Collection[str]) -> Matcher | None:
    """A matcher for exactly these words (casefolded): a search's words whose stems the query holds."""
    wanted = {w.casefold() for w in words}
    if not wanted:
        return None
    # A wanted word is a substring of any text holding it, casefolded (casefolding maps each
    # character on its own): one C-level search skips the many sentences that hold none.
    anywhere = re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)))

    def match(text: str) -> list[Span]:
        if not anywhere.search(text.casefold()):
            return []
        return [m.span() for m in _WHOLE_WORD.finditer(text) if _has_wanted(m.group(), wanted)]

    return match


_HYPHEN = re.compile(r"[-\u2010\u2011]")


def _has_wanted(word: str, wanted: set[str]) -> bool:
    folded = word.casefold()
    return folded in wanted or any(part in wanted for part in _HYPHEN.split(folded))


def words_of(*texts: str | None) -> set[str]:
    """The distinct words of the texts, casefolded (what a search asks the stemmer about)."""
    return {w.casefold() for text in texts if text for w in _WORD.findall(text)}
