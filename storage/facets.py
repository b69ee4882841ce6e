"""Facets of a search: how many stories match, by site, month, language and on/off a topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psycopg import sql

from pantau.storage.queries import coverage as q
from pantau.storage.search import Filters, where_clause

if TYPE_CHECKING:
    import psycopg


@dataclass
class Facets:
    """Match counts: in all (stories, story clusters) and per value of each facet, largest first."""

    stories: int = 0
    clusters: int = 0
    sites: list[tuple[str, int]] = field(default_factory=list)
    months: list[tuple[str, int]] = field(default_factory=list)  # YYYY-MM in the reader's zone
    languages: list[tuple[str, int]] = field(default_factory=list)  # '' is undetermined
    on_topic: int = 0
    off_topic: int = 0
    estimated: bool = False  # too many matches to count: `stories` is the planner's estimate


# Counting reads every match (~10 µs each): past this many (a common word) the page would take
# seconds, so the facets give the planner's estimate instead and ask for a narrower search.
COUNT_AT_MOST = 30_000


def facets(conn: psycopg.Connection, filters: Filters, topic: str) -> Facets:
    """The counts of every story the filters match (checked already, by a search), for `topic`."""
    where, params = where_clause(conn, filters)
    params.update(zone=filters.zone.key, facet_topic=topic)
    plan = conn.execute(sql.SQL(q.ESTIMATE).format(where=where), params, prepare=False).fetchone()
    estimate = int(plan[0][0]["Plan"]["Plan Rows"]) if plan else 0
    if estimate > COUNT_AT_MOST:
        return Facets(stories=estimate, clusters=estimate, estimated=True)
    result = Facets()
    rows = conn.execute(sql.SQL(q.FACETS).format(where=where), params, prepare=False).fetchall()
    for by_site, by_month, by_language, by_topic, site, month, language, on, stories, clusters in rows:
        if by_site:
            result.sites.append((site, stories))
        elif by_month:
            if month is not None:  # undated stories have no month to narrow to
                result.months.append((month, stories))
        elif by_language:
            result.languages.append((language or "", stories))
        elif by_topic:
            result.on_topic, result.off_topic = (
                (stories, result.off_topic) if on else (result.on_topic, stories)
            )
        else:
            result.stories, result.clusters = stories, clusters
    result.sites.sort(key=lambda item: (-item[1], item[0]))
    result.languages.sort(key=lambda item: (-item[1], item[0]))
    result.months.sort(reverse=True)
    return result
