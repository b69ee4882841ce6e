"""Shared pieces of the fault suite: a fixed hypothesis profile, fault stories, archive look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from pantau.storage.db import Database
from tests.support.fault_server import Fault, FaultServer, serve_faults
from tests.support.replay import default_world
from tests.support.replay.world import Story, World, load_story_text

# Derandomised and bounded: the fuzz tests give the same verdict on every machine and every run.
settings.register_profile(
    "faults",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("faults")

FAULT_ID_BASE = 3238500  # Okezone ids of fault stories (the default world's are 3238400 + n)


def fault_story(world: World, n: int, stem: str = "offtopic_ponsel_baru", **fields: Any) -> Story:
    """Add Okezone story number `n` (its own title and opening sentence, so no two are copies)."""
    title, paragraphs = load_story_text(stem)
    opening = f"Laporan nomor {n} dari meja redaksi internasional disusun untuk pembaca setia kami."
    story = Story(
        "okezone",
        str(FAULT_ID_BASE + n),
        world.now - timedelta(minutes=5 + n),
        f"{title} Bagian {n}",
        [opening, *paragraphs],
        **fields,
    )
    return world.add(story)


def key(story: Story) -> str:
    """The fault-server route of a story's article page."""
    return f"{story.host}{story.path}"


def rows(db: Database, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """All rows of one query on the module's database."""
    with db.connection() as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def stored_urls(db: Database, site: str = "okezone") -> list[str]:
    """Canonical URLs of the site's stored articles (a list: a duplicate would show twice)."""
    return [r[0] for r in rows(db, "SELECT canonical_url FROM articles WHERE site = %s", site)]


def discovered(db: Database, url: str) -> tuple[str, int, str | None] | None:
    """(status, attempts, last_error) of a discovered URL, or None."""
    found = rows(db, "SELECT status, attempts, last_error FROM discovered_urls WHERE canonical_url = %s", url)
    return (found[0][0], found[0][1], found[0][2]) if found else None


def last_run(db: Database, site: str) -> tuple[str, str | None, dict[str, int], list[dict[str, str]]]:
    """(status, reason, counts, errors) of the site's latest crawl run."""
    query = "SELECT status, reason, counts, errors FROM crawl_runs WHERE site = %s ORDER BY id DESC LIMIT 1"
    status, reason, counts, errors = rows(db, query, site)[0]
    return status, reason, counts, errors


@pytest.fixture(scope="module")
def slow_okezone() -> Iterator[FaultServer]:
    """The replay world with Okezone's stories slowed to 1.5 s: a crawl of ~8 s, killable mid-way."""
    with serve_faults(default_world()) as running:
        for story in running.world.of("okezone"):
            running.faults[key(story)] = Fault("delay", seconds=1.5)
        yield running
