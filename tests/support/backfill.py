"""Backfill fixtures (tests/crawler/backfill, tests/cli): the dated replay world on loopback, its settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest

from pantau.base.settings import Settings, load_settings
from pantau.crawler.backfill.plan import Range
from pantau.crawler.backfill.run import Backfill
from tests.support.backfill_world import backfill_world
from tests.support.replay import ReplayHTTPServer, Story, serve
from tests.support.replay.world import WIB, World

TOPIC = "nk-russia-arms"


@pytest.fixture(scope="module")
def today() -> date:
    return datetime.now(WIB).date()


@pytest.fixture(scope="module")
def backfill_replay(today: date) -> Iterator[tuple[World, dict[str, list[Story]], ReplayHTTPServer]]:
    """(world, the on-topic stories a 30-day backfill must find per site, its server)."""
    world, expected = backfill_world(today)
    with serve(world) as server:
        yield world, expected, server


@pytest.fixture(scope="module")
def backfill_settings(
    backfill_replay: tuple[World, Any, ReplayHTTPServer],
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    """Every site host mapped to the replay server, no delay: politeness is the crawl's, tested there."""
    server = backfill_replay[2]
    crawl = {"host_map": server.host_map(), "download_delay": 0.0, "timeout_minutes": 2}
    data = tmp_path_factory.mktemp("backfill-data")
    return load_settings(None, data_dir=data, database_url=database_url, crawl=crawl)


@pytest.fixture
def make_backfill(backfill_settings: Settings, database_url: str, today: date) -> Callable[..., Backfill]:
    def build(sites: list[str], since_days: int, until_days: int = 1, **kwargs: Any) -> Backfill:
        span = Range(today - timedelta(days=since_days), today - timedelta(days=until_days), today)
        return Backfill(backfill_settings, sites, span, TOPIC, database_url, lock_wait=0.2, **kwargs)

    return build


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def article_paths(server: ReplayHTTPServer, site: str | None = None) -> list[str]:
    """Paths of the article pages requested (listings, robots and searches left out)."""
    return [r.path for r in server.requests(site) if "/read/" in r.path or "/d-" in r.path]


def stored_urls(database_url: str) -> set[str]:
    return {row[0] for row in query(database_url, "SELECT canonical_url FROM articles")}
