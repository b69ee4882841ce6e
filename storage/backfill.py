"""Backfill bookkeeping in the archive: listing-page checkpoints and progress counts.

Every function takes an autocommit connection and runs one unit of work in its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from psycopg.rows import class_row

from pantau.storage.queries import backfill as q

if TYPE_CHECKING:
    import psycopg

ENDINGS = ("empty", "repeat", "padding", "since", "limit", "forbidden")


@dataclass(frozen=True)
class Checkpoint:
    """A listing page a backfill finished: article URLs it listed, its oldest date, why the walk ended."""

    listing: str
    page: int
    found: int
    oldest: date | None
    ended: str | None
    done_at: datetime


@dataclass(frozen=True)
class Progress:
    """What the backfill runs of one site did since a moment."""

    pages: int
    found: int
    stored: int
    on_topic: int
    requests: int


def checkpoints(conn: psycopg.Connection, site: str, listings: Sequence[str]) -> list[Checkpoint]:
    """The checkpoints of these listings of a site, by listing then page."""
    with conn.cursor(row_factory=class_row(Checkpoint)) as cur:
        return cur.execute(q.CHECKPOINTS, {"site": site, "listings": list(listings)}).fetchall()


def save_checkpoint(
    conn: psycopg.Connection,
    site: str,
    listing: str,
    page: int,
    *,
    ids: Sequence[str],
    oldest: date | None = None,
    ended: str | None = None,
) -> bool:
    """Checkpoint a listing page if every article it listed (site ids) is stored or recorded as failed.

    Returns False (and writes nothing) while one of them is neither: the page is walked again later.
    """
    if ended is not None and ended not in ENDINGS:
        raise ValueError(f"{ended!r} is no walk ending; use one of {ENDINGS}")
    params = {
        "site": site,
        "listing": listing,
        "page": page,
        "found": len(ids),
        "oldest": oldest,
        "ended": ended,
        "ids": list(ids),
    }
    with conn.transaction():
        return conn.execute(q.SAVE_CHECKPOINT, params).fetchone() is not None


def progress(conn: psycopg.Connection, site: str, started: datetime, topic: str) -> Progress:
    """Pages checkpointed, URLs found, stories stored and on topic by a site's backfills since `started`."""
    row = conn.execute(q.PROGRESS, {"site": site, "started": started, "topic": topic}).fetchone()
    assert row is not None  # an aggregate always returns its row
    return Progress(*(int(value) for value in row))
