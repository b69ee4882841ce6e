"""What a search query means before PostgreSQL parses it: operators, common words, hyphens.

`websearch_to_tsquery` takes any text and never fails, which makes some mistakes silent: it reads a
dangling `OR` and the word `AND` as words to find, and Indonesian has no stop-word list in PostgreSQL,
so `dan yang di` finds every story. `normalize_query` rewrites the query into what the user meant,
still in web-search syntax, before the database sees it:

- `OR` with nothing on one side is dropped; `AND` is dropped (every word must occur anyway);
- common words (COMMON_WORDS) outside quotes are dropped; a query of nothing else is refused;
- a hyphen between two letters or digits is a space, and a hyphenated word is a phrase, because the
  archive is indexed the same way (migration 0010): `Kim Jong-un` finds `Kim Jong Un`, `KN-23` finds
  `KN 23`, and the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Indonesian function words: conjunctions, prepositions, particles and pronouns that nearly every
# story contains, so a search for them alone matches the whole archive. Deliberately short: the
# published Indonesian stop lists also hold words an analyst may search for (tahun, lama, kecil,
# pihak), and a dropped word can hide the story that was wanted.
COMMON_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "yang dan di ke dari ini itu dengan untuk pada dalam oleh atau juga akan telah sudah tidak "
        "adalah ialah yaitu yakni bahwa karena tersebut para sebagai secara agar supaya hingga "
        "sampai saat ketika maka namun tetapi tapi serta bagi antara terhadap tentang kepada "
        "daripada pun lah kah nya si sang se per bila jika kalau apabila sejak selama demi melalui "
        "tanpa seperti sehingga sedangkan maupun ia dia mereka kami kita ada"
    ).split()
)
# Between two letters or digits only: `-word` (exclude) and `-23` (a negative number) keep theirs.
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
# A quoted phrase (an unclosed quote runs to the end, as in websearch_to_tsquery), or a run of
# anything else up to the next space or quote.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+?)(?=\s|"|$)')
_OPERATORS = {"or": "OR", "and": "AND"}


@dataclass(frozen=True)
class Query:
    """A query rewritten for websearch_to_tsquery; `common` lists the common words it dropped."""

    text: str
    common: tuple[str, ...]


def _word(token: str) -> str:
    """A bare word as websearch_to_tsquery should see it: hyphenated words become a phrase."""
    negated = token.startswith("-")
    body = token[1:] if negated else token
    if _INNER_HYPHEN.search(body):
        body = f'"{_INNER_HYPHEN.sub(" ", body)}"'
    return f"-{body}" if negated else body


def _is_common(token: str) -> bool:
    """Whether a bare word (or an excluded one) is only a common word, punctuation aside."""
    return re.sub(r"\W", "", token).lower() in COMMON_WORDS


def _items(query: str) -> tuple[list[str], list[str]]:
    """The query's terms and OR operators in order, and the common words left out."""
    items: list[str] = []
    common: list[str] = []
    for match in _TOKEN.finditer(query):
        sign, phrase, bare = match.groups()
        if phrase is not None:
            items.append(f'{sign}"{_INNER_HYPHEN.sub(" ", phrase)}"')
        elif (operator := _OPERATORS.get(bare.lower())) == "OR":
            items.append("OR")
        elif operator is None and _is_common(bare):
            common.append(bare)
        elif operator is None:
            items.append(_word(bare))
    return items, common


def _without_dangling_or(items: list[str]) -> list[str]:
    """The items with every OR that has no term on both sides removed."""
    kept: list[str] = []
    for item in items:
        if item == "OR" and (not kept or kept[-1] == "OR"):
            continue
        kept.append(item)
    while kept and kept[-1] == "OR":
        kept.pop()
    return kept


def normalize_query(query: str) -> Query:
    """The query as web-search syntax without dangling ORs, ANDs, common words or inner hyphens."""
    items, common = _items(query)
    return Query(" ".join(_without_dangling_or(items)), tuple(common))
