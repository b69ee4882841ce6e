"""Searching the archive: web-search syntax in Indonesian, filters, ranked hits with snippets.

The query goes to PostgreSQL's `websearch_to_tsquery('indonesian', ...)`: words are stemmed
(`senjata` finds `persenjataan`), "quoted phrases" match in order, `OR` gives alternatives and
`-word` excludes. Filters become SQL fragments from `storage.queries.search`, joined with
`psycopg.sql`; values travel only as parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from psycopg import sql
from psycopg.rows import class_row, dict_row

from pantau.base.errors import PantauError
from pantau.base.snippets import MARK_START, MARK_STOP
from pantau.storage.queries import search as q
from pantau.storage.snippets import with_snippets

if TYPE_CHECKING:
    import psycopg

# ts_headline wraps each match in these; the stored text never contains them (they are stripped
# from it inside the query), so after escaping the text they are the only markup there is.
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=15, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
MAX_QUERY_LENGTH = 500
# How many of the newest matches are ranked (see SEARCH_RANKED for why there is a window; at least
# as many as the page asked for reaches). bench/search.py measures the effect.
RANK_WINDOW = 200
# Above this many estimated matches, walking the date index beats reading every match from the GIN
# index (bench/search.py: ~4 µs a match from the index, ~40 µs a row tested while walking).
WALK_ABOVE = 20_000


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


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in `zone`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _where(filters: Filters) -> tuple[sql.Composable, dict[str, Any]]:
    """The AND of the filters that are set, and their parameters."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if filters.query:
        parts.append(q.FILTER_TEXT)
        params["q"] = filters.query
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
        params.update(topic=filters.topic, min_score=filters.min_score or float("-inf"))
    elif filters.min_score is not None:
        parts.append(q.FILTER_ANY_TOPIC_SCORE)
        params["min_score"] = filters.min_score
    where = sql.SQL(" AND ").join(sql.SQL(part) for part in parts) if parts else sql.SQL("TRUE")
    return where, params


def check_filters(conn: psycopg.Connection, filters: Filters) -> None:
    """Raise SearchError if the query has nothing to search for or the dates are reversed."""
    if filters.since and filters.until and filters.since > filters.until:
        raise SearchError(f"--since {filters.since} is after --until {filters.until}; swap them")
    if filters.query is None:
        return
    if len(filters.query) > MAX_QUERY_LENGTH:
        raise SearchError(
            f"search query is {len(filters.query)} characters; keep it under {MAX_QUERY_LENGTH}"
        )
    row = conn.execute(q.CHECK_QUERY, {"q": filters.query}).fetchone()
    nodes, tree = row if row else (0, "T")
    if nodes == 0:
        raise SearchError(
            f"search query {filters.query!r} has no words to search for; give words, "
            '"a phrase", word OR word, or -word'
        )
    if tree == "T":
        raise SearchError(
            f"search query {filters.query!r} only excludes words; add at least one word to look for"
        )


def _estimated_matches(conn: psycopg.Connection, where: sql.Composable, params: dict[str, Any]) -> int:
    """The planner's estimate of how many stories the filters match (no rows are read)."""
    estimate = sql.SQL(q.ESTIMATE_MATCHES).format(where=where)
    row = conn.execute(estimate, params, prepare=False).fetchone()
    return int(row[0][0]["Plan"]["Plan Rows"]) if row else 0


def search(
    conn: psycopg.Connection, filters: Filters, *, limit: int = 20, offset: int = 0, clusters: bool = False
) -> list[Hit]:
    """The page of hits, best-ranked first (newest first without words); one per story if `clusters`."""
    check_filters(conn, filters)
    where, params = _where(filters)
    params.update(limit=limit, offset=offset)
    parts: dict[str, sql.Composable] = {"hit_columns": sql.SQL(q.HIT_COLUMNS)}
    if filters.query:
        parts["clusters"] = sql.SQL(q.BEST_PER_CLUSTER if clusters else q.ALL_MATCHES)
        walk = _estimated_matches(conn, where, params) > WALK_ABOVE
        candidates = q.CANDIDATES_BY_DATE if walk else q.CANDIDATES_FROM_INDEX
        parts["candidates"] = sql.SQL(candidates).format(where=where)
        # Whole windows, so that every page within one window comes from the same ranking.
        windows = -(-(offset + limit) // RANK_WINDOW)
        template, params["window"] = q.SEARCH_RANKED, RANK_WINDOW * windows
        params["headline_options"] = HEADLINE_OPTIONS
    else:
        parts["clusters"] = sql.SQL(q.NEWEST_PER_CLUSTER if clusters else q.NEWEST_ALL)
        parts["where"] = where
        template = q.SEARCH_NEWEST
    query = sql.SQL(template).format(**parts)
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
    check_filters(conn, filters)
    where, params = _where(filters)
    query = sql.SQL(q.EXPORT).format(where=where)
    with conn.transaction():
        conn.execute(q.EXPORT_NO_IDLE_TIMEOUT)
        with conn.cursor(name="pantau_export", row_factory=dict_row) as cur:
            cur.itersize = itersize
            cur.execute(query, params)
            yield from cur
