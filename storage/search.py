"""Searching the archive: web-search syntax in Indonesian, filters, ranked hits with snippets.

The query is rewritten into what the user meant (storage.search_query: dangling OR, AND, common
words, hyphens), then goes to PostgreSQL's `websearch_to_tsquery('indonesian', ...)`: words are
stemmed (`senjata` finds `persenjataan`), "quoted phrases" match in order, `OR` gives alternatives
and `-word` excludes. Searches read the narrow `article_search` table (migration 0010). Filters
become SQL fragments from `storage.queries.search`, joined with `psycopg.sql`; values travel only
as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from psycopg import sql
from psycopg.rows import class_row, dict_row

from pantau.base.errors import PantauError
from pantau.storage.queries import search as q
from pantau.storage.search_query import normalize_query
from pantau.storage.snippets import with_snippets

if TYPE_CHECKING:
    import psycopg

MAX_QUERY_LENGTH = 500
# How many of the newest matches are ranked (see SEARCH_RANKED for why there is a window; at least
# as many as the page asked for reaches). bench/search.py measures the effect.
RANK_WINDOW = 200
# Walking the date index tests each row it passes (~WALK_ROW_COST times what one match from the GIN
# index costs, bench/search.py), so it wins when it stops early: when window / share of matching
# rows * WALK_ROW_COST < matches. Tests pin the choice with WALK_ABOVE (a count of matches).
WALK_ROW_COST = 25
WALK_ABOVE: int | None = None
# Read from the GIN index, a word in a few stories in a hundred is tens of thousands of rows at a
# million stories, and reading them all to sort them by date is most of the search. The newest
# `window` of them lie in the newest slice of the archive, so for many matches the index is first
# asked only for stories since a cutoff (PostgreSQL ANDs it with the date index and reads only those
# rows), taken from the date histogram so that about CUTOFF_MARGIN windows of matches are expected
# there. If fewer than a window turn up, the search runs without it: the hits are the same either way.
CUTOFF_MARGIN: float | None = 3
# Only a cutoff that leaves out most of the archive pays for its extra query (bench/search.py).
CUTOFF_SHARE = 0.25


class SearchError(PantauError):
    """A search the archive cannot run as given: names the query or option and what to do."""


@dataclass(frozen=True)
class Filters:
    """What to look for: optional words, then filters that all have to hold."""

    query: str | None = None
    sites: tuple[str, ...] = ()
    since: date | None = None  # first day included, in `zone`
    until: date | None = None  # last day included, in `zone`
    languages: tuple[str, ...] = ()
    topic: str | None = None  # stories marked on topic for it
    min_score: float | None = None  # with topic: its score; without: any topic's score
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))


@dataclass(frozen=True)
class Hit:
    """One search result; `snippet` (pantau.base.snippets) has MARK_START/MARK_STOP around matched words."""

    id: int
    site: str
    url: str
    canonical_url: str
    title: str
    published_at: datetime | None
    date_source: str | None
    language: str | None
    cluster_id: int | None
    other_copies: int
    other_sites: list[str]
    rank: float | None
    snippet: str


@dataclass(frozen=True)
class TextQuery:
    """A search's words: as web-search text (`text`), as tsquery text, `loose` with phrases as ANDs."""

    text: str
    tsquery: str
    loose: str

    @property
    def has_phrase(self) -> bool:
        """Whether some words must be adjacent (the GIN index cannot tell; each row's vector can)."""
        return self.tsquery != self.loose


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in `zone`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _where(
    filters: Filters, text: TextQuery | None, *, loose: bool = False
) -> tuple[sql.Composable, dict[str, Any]]:
    """The AND of the filters that are set, and their parameters (`loose`: phrases as ANDs)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if text is not None:
        parts.append(q.FILTER_LOOSE_TEXT if loose else q.FILTER_TEXT)
        params.update(tsquery=text.tsquery, loose=text.loose)
    if filters.sites:
        parts.append(q.FILTER_SITES)
        params["sites"] = list(filters.sites)
    if filters.since:
        parts.append(q.FILTER_SINCE)
        params["since"] = day_start(filters.since, filters.zone)
    if filters.until:
        # Whole days, inclusive: up to (not including) midnight after the last day, in the user's zone.
        parts.append(q.FILTER_UNTIL)
        params["until"] = day_start(filters.until + timedelta(days=1), filters.zone)
    if filters.languages:
        parts.append(q.FILTER_LANGUAGES)
        params["languages"] = list(filters.languages)
    if filters.topic:
        parts.append(q.FILTER_TOPIC)
        params["topic"] = filters.topic
        if filters.min_score is not None:
            parts.append(q.FILTER_TOPIC_SCORE)
            params["min_score"] = filters.min_score
    elif filters.min_score is not None:
        parts.append(q.FILTER_ANY_TOPIC_SCORE)
        params["min_score"] = filters.min_score
    where = sql.SQL(" AND ").join(sql.SQL(part) for part in parts) if parts else sql.SQL("TRUE")
    return where, params


def text_query(conn: psycopg.Connection, query: str) -> TextQuery:
    """The query parsed as PostgreSQL will search it; SearchError if nothing is left to look for."""
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(f"search query is {len(query)} characters; keep it under {MAX_QUERY_LENGTH}")
    meant = normalize_query(query)
    if not meant.text and meant.common:
        raise SearchError(
            f"search query {query!r} has only common words ({', '.join(meant.common)}), which nearly "
            'every story contains; add a word that says what to find, or quote "a phrase"'
        )
    row = conn.execute(q.CHECK_QUERY, {"q": meant.text}).fetchone()
    nodes, tree, tsquery, loose = row if row else (0, "T", "", "")
    if nodes == 0:
        raise SearchError(
            f"search query {query!r} has no words to search for; give words, "
            '"a phrase", word OR word, or -word'
        )
    if tree == "T":
        raise SearchError(f"search query {query!r} only excludes words; add at least one word to look for")
    return TextQuery(meant.text, tsquery, loose)


def check_filters(conn: psycopg.Connection, filters: Filters) -> TextQuery | None:
    """The parsed words (None without any); SearchError if there are none to search for or the
    dates are reversed."""
    if filters.since and filters.until and filters.since > filters.until:
        raise SearchError(f"--since {filters.since} is after --until {filters.until}; swap them")
    return None if filters.query is None else text_query(conn, filters.query)


def where_clause(conn: psycopg.Connection, filters: Filters) -> tuple[sql.Composable, dict[str, Any]]:
    """The filters as a condition on `article_search s` and its parameters (for counts and facets);
    SearchError as for a search."""
    return _where(filters, check_filters(conn, filters))


def _estimates(conn: psycopg.Connection, where: sql.Composable, params: dict[str, Any]) -> tuple[int, int]:
    """The planner's estimates of how many stories match and how many there are (word frequencies
    from the column statistics, ~1 ms, no rows read)."""
    estimate = conn.execute(sql.SQL(q.ESTIMATE_MATCHES).format(where=where), params, prepare=False)
    plan = estimate.fetchone()
    matches = int(plan[0][0]["Plan"]["Plan Rows"]) if plan else 0
    total = conn.execute(q.ESTIMATE_ROWS).fetchone()
    return matches, max(int(total[0]) if total else 0, matches, 1)


# A tsquery's words, quoted as it writes them: 'rudal' <-> 'balist' & 'kursk' has three.
_LEXEME = re.compile(r"'(?:[^']|'')+'(?::\*)?")


def _most_matches(conn: psycopg.Connection, filters: Filters, text: TextQuery) -> int:
    """An upper bound of the matches where the planner's estimate is far too low (0: none known).

    The planner takes a phrase's words, and a topic and a word, as independent, but they come
    together: a phrase's words are in the same stories, and a topic's stories hold its words. The
    stories matching everything are at most those matching the least common of its parts alone.
    """
    if "|" in text.loose or "!" in text.loose:
        return 0
    others = replace(filters, query=None, topic=None, min_score=None)
    parts = [_where(others, TextQuery(word, word, word)) for word in _LEXEME.findall(text.loose)]
    if filters.topic:
        parts.append(_where(replace(filters, query=None), None))
    return min((_estimates(conn, where, params)[0] for where, params in parts), default=0)


def _walks(matches: int, total: int, window: int) -> bool:
    """Whether walking the date index beats reading every match from the GIN index."""
    if WALK_ABOVE is not None:
        return matches > WALK_ABOVE
    return window / (matches / total) * WALK_ROW_COST < matches


def _recent(
    conn: psycopg.Connection, candidates: str, where: sql.Composable, params: dict[str, Any], share: float
) -> list[int] | None:
    """The ids of the `window` newest matches if they all lie in the newest `share` of the archive
    (by the date histogram), else None."""
    row = conn.execute(q.DATE_CUTOFF, {"share": share}).fetchone()
    if row is None or row[0] is None:
        return None  # no statistics yet
    since = sql.SQL(" AND ").join([where, sql.SQL(q.FILTER_CUTOFF)])
    recent = sql.SQL(q.CANDIDATE_IDS).format(candidates=sql.SQL(candidates).format(where=since))
    ids = [int(r[0]) for r in conn.execute(recent, {**params, "cutoff": row[0]}, prepare=False)]
    return ids if len(ids) >= params["window"] else None


def _candidates(
    conn: psycopg.Connection, filters: Filters, text: TextQuery, window: int
) -> tuple[sql.Composable, dict[str, Any]]:
    """The SQL of the `window` newest matches (id, published_at, search) and its parameters."""
    where, params = _where(filters, text)
    params["window"] = window
    matches, total = _estimates(conn, where, params)
    if _walks(matches, total, window):
        return sql.SQL(q.CANDIDATES_BY_DATE).format(where=where), params
    template = q.CANDIDATES_FROM_INDEX
    if text.has_phrase:
        template = q.CANDIDATES_FROM_INDEX_PHRASE
        where, _ = _where(filters, text, loose=True)
    share = CUTOFF_MARGIN * window / matches if CUTOFF_MARGIN and matches else 1.0
    if CUTOFF_MARGIN and share > CUTOFF_SHARE and (text.has_phrase or filters.topic):
        share = min(share, CUTOFF_MARGIN * window / max(_most_matches(conn, filters, text), 1))
    # Exclusions: the planner's estimate counts the stories with the other words, too many.
    if (
        share <= CUTOFF_SHARE
        and "!" not in text.tsquery
        and (ids := _recent(conn, template, where, params, share))
    ):
        return sql.SQL(q.CANDIDATES_LISTED), {**params, "ids": ids}
    return sql.SQL(template).format(where=where), params


def search_sql(
    conn: psycopg.Connection, filters: Filters, *, limit: int, offset: int, clusters: bool
) -> tuple[sql.Composed, dict[str, Any]]:
    """The query of one page of hits and its parameters, its plan chosen for these filters."""
    text = check_filters(conn, filters)
    parts: dict[str, sql.Composable] = {"hit_columns": sql.SQL(q.HIT_COLUMNS)}
    if text is not None:
        # Whole windows, so that every page within one window comes from the same ranking.
        window = RANK_WINDOW * -(-(offset + limit) // RANK_WINDOW)
        parts["candidates"], params = _candidates(conn, filters, text, window)
        parts["clusters"] = sql.SQL(q.BEST_PER_CLUSTER if clusters else q.ALL_MATCHES)
        parts["story"] = sql.SQL(q.STORY_OF_MATCH if clusters else "m.id")
        params.update(q=text.text)
        template = q.SEARCH_RANKED
    else:
        parts["where"], params = _where(filters, None)
        parts["clusters"] = sql.SQL(q.NEWEST_PER_CLUSTER if clusters else q.NEWEST_ALL)
        template = q.SEARCH_NEWEST
    params.update(limit=limit, offset=offset)
    return sql.SQL(template).format(**parts), params


def search(
    conn: psycopg.Connection, filters: Filters, *, limit: int = 20, offset: int = 0, clusters: bool = False
) -> list[Hit]:
    """The page of hits, best-ranked first (newest first without words); one per story if `clusters`.

    The SQL leaves `snippet` empty: the shared builder (storage.snippets) writes it for the page's
    hits alone, in whole sentences.
    """
    query, params = search_sql(conn, filters, limit=limit, offset=offset, clusters=clusters)
    with conn.cursor(row_factory=class_row(Hit)) as cur:
        # Never a prepared statement: its generic plan cannot see how common the words are, and
        # the right plan (walk the date index, or the GIN index) depends on exactly that.
        hits = cur.execute(query, params, prepare=False).fetchall()
    return with_snippets(conn, hits, filters.query)


def export_rows(
    conn: psycopg.Connection, filters: Filters, *, itersize: int = 500
) -> Iterator[dict[str, Any]]:
    """Every matching story with all stored fields but raw HTML, oldest first, in constant memory.

    A server-side (named) cursor sends `itersize` rows at a time, so the archive's size does not
    matter; the connection is held for as long as the caller iterates.
    """
    where, params = _where(filters, check_filters(conn, filters))
    query = sql.SQL(q.EXPORT).format(where=where)
    with conn.transaction():
        conn.execute(q.EXPORT_NO_IDLE_TIMEOUT)
        with conn.cursor(name="pantau_export", row_factory=dict_row) as cur:
            cur.itersize = itersize
            cur.execute(query, params)
            yield from cur
