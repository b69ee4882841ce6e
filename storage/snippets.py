"""Snippets of search hits, built by pantau.base.snippets from each story's lead and body.

A search highlights the words whose Indonesian stems the query holds, as PostgreSQL's stemmer (the
one the full-text index uses) decides, so `senjata` marks *persenjataan* whole.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from pantau.base import snippets
from pantau.storage.queries import snippets as q

if TYPE_CHECKING:
    import psycopg


class _Hit(Protocol):
    """What a snippet is attached to: a dataclass with the story's id and a marked snippet."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def id(self) -> int: ...

    @property
    def snippet(self) -> str: ...


HitT = TypeVar("HitT", bound=_Hit)

# `-word` and `-"a phrase"` exclude: never highlighted. OR / AND are operators, not words.
_EXCLUDED = re.compile(r'(?:^|(?<=\s))-(?:"[^"]*"?|\S+)')
_OPERATORS = re.compile(r"(?<!\S)(?:OR|AND)(?!\S)")


def query_words(query: str) -> str:
    """The words a query looks for: exclusions, operators and quotes removed."""
    return " ".join(_OPERATORS.sub(" ", _EXCLUDED.sub(" ", query)).replace('"', " ").split())


def could_stem_to(word: str, stems: list[str]) -> bool:
    """Whether the stemmer could give `word` one of `stems`: only those words are sent to it.

    The Indonesian stemmer removes affixes and at most re-codes the first letter of what is left
    (menyerang -> serang), so a stem without its first letter lies inside its word. Asking the
    stemmer about a page's thousand words cost more than the rest of its snippets.
    """
    return any(stem[1:] in word for stem in stems)


def search_matcher(
    conn: psycopg.Connection, query: str | None, texts: list[str | None]
) -> snippets.Matcher | None:
    """A matcher for the words of `texts` that the query asks for (by stem), or None without words."""
    words = query_words(query or "")
    if not words:
        return None
    row = conn.execute(q.QUERY_STEMS, {"words": words}).fetchone()
    stems = list(row[0]) if row and row[0] else []
    candidates = sorted(w for w in snippets.words_of(*texts) if could_stem_to(w, stems))
    if not stems or not candidates:
        return None
    found = conn.execute(q.MATCHING_WORDS, {"words": candidates, "stems": stems}).fetchall()
    return snippets.word_matcher([str(r[0]) for r in found])


def with_snippets(conn: psycopg.Connection, hits: list[HitT], query: str | None) -> list[HitT]:
    """The hits with their snippets rebuilt from lead and body, marked for the query's words."""
    if not hits:
        return hits
    rows = conn.execute(q.SNIPPET_SOURCES, {"ids": [h.id for h in hits]}).fetchall()
    texts = {int(r[0]): (str(r[1]), r[2], str(r[3])) for r in rows}
    matcher = search_matcher(conn, query, [t for _, lead, body in texts.values() for t in (lead, body)])
    result = []
    for hit in hits:
        title, lead, body = texts.get(hit.id, ("", None, ""))
        snippet = snippets.build(lead, body, matcher, title=title)
        result.append(dataclasses.replace(hit, snippet=snippet.marked()))
    return result
