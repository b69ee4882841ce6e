"""`pantau crawl` end to end: the real command in a subprocess, crawling the replay world into an archive."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg
import pytest

from pantau.cli.crawl import render_table
from pantau.crawler.runner import CrawlOutcome
from tests.support.helpers import ROOT, run_pantau
from tests.support.replay import default_world, serve
from tests.support.replay.crawl import write_config
from tests.support.replay.server import HOSTS, ReplayHTTPServer
from tests.support.replay.world import World


def _pantau(config: Path, database_url: str, workdir: Path, *sites: str) -> subprocess.CompletedProcess[str]:
    """`pantau --config CONFIG crawl SITES...` in a subprocess on the test database."""
    return run_pantau(
        "--config",
        str(config),
        "crawl",
        *sites,
        database_url=database_url,
        data_dir=workdir / "data",
        PYTHONPATH=str(ROOT),
        timeout=240,
    )


def _table(stdout: str) -> dict[str, dict[str, str]]:
    """The printed table as {site: {heading: cell}} (the status cell may contain spaces)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("site "))
    headings = lines[start].split()
    rows = {}
    for line in lines[start + 1 :]:
        cells = re.split(r"\s+", line.strip(), maxsplit=len(headings) - 1)
        rows[cells[0]] = dict(zip(headings, cells, strict=True))
    return rows


def _stored(database_url: str, site: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        return {r[0] for r in conn.execute("SELECT canonical_url FROM articles WHERE site = %s", (site,))}


def _config(tmp_path: Path, server: ReplayHTTPServer) -> Path:
    return write_config(tmp_path / "pantau.toml", server, timeout_minutes=2)


@pytest.fixture
def world() -> World:
    return default_world()


@pytest.mark.slow
def test_crawl_two_sites_prints_the_table_and_fills_the_archive(
    tmp_path: Path, database_url: str, world: World
) -> None:
    with serve(world) as server:
        result = _pantau(_config(tmp_path, server), database_url, tmp_path, "kompas", "detik")
    assert result.returncode == 0, result.stderr[-4000:]
    table = _table(result.stdout)
    assert set(table) == {"kompas", "detik"}
    for site in ("kompas", "detik"):
        expected = {s.url for s in world.of(site)}
        assert _stored(database_url, site) == expected
        row = table[site]
        assert row["status"] == "finished"
        assert int(row["stored"]) == len(expected)
        assert int(row["fetched"]) >= len(expected)
        assert int(row["discovered"]) >= len(expected)
        assert int(row["on-topic"]) >= 1  # each site has a seed story on the topic
        assert (row["errors"], row["blocked"]) == ("0", "0")
    with psycopg.connect(database_url) as conn:
        runs = conn.execute(
            "SELECT site, status, counts->>'stored' FROM crawl_runs WHERE site IN ('kompas', 'detik')"
        ).fetchall()
        unstored = conn.execute(
            "SELECT count(*) FROM discovered_urls d WHERE d.site IN ('kompas', 'detik')"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.canonical_url = d.canonical_url)"
            " AND d.status = 'new'"
        ).fetchone()
    assert sorted(runs) == [
        ("detik", "finished", table["detik"]["stored"]),
        ("kompas", "finished", table["kompas"]["stored"]),
    ]
    assert unstored == (0,)  # every discovered article was stored (or recorded as failed)


@pytest.mark.slow
def test_a_blocked_site_is_reported_and_the_others_still_run(
    tmp_path: Path, database_url: str, world: World
) -> None:
    world.blocked_hosts.update(h for h in HOSTS if h.endswith("bisnis.com"))
    with serve(world) as server:
        result = _pantau(_config(tmp_path, server), database_url, tmp_path, "bisnis", "okezone")
    assert result.returncode == 1
    table = _table(result.stdout)
    assert table["okezone"]["status"] == "finished"
    assert _stored(database_url, "okezone") == {s.url for s in world.of("okezone")}
    assert table["bisnis"]["status"].startswith("blocked"), result.stdout
    assert table["bisnis"]["blocked"] != "0"
    assert _stored(database_url, "bisnis") == set()
    assert re.search(r"^bisnis: blocked .* in crawl run \d+: .*download_delay", result.stderr, re.M)
    assert "okezone:" not in result.stderr.replace("site=okezone", "")


def test_render_table_aligns_counts_and_marks_errors() -> None:
    finished = CrawlOutcome(7, "detik", "finished", None, {"discovered": 120, "stored": 4}, 0)
    blocked = CrawlOutcome(8, "bisnis", "blocked", "3 blocked", {"blocked": 3}, 0)
    text = render_table([("detik", finished, None), ("bisnis", blocked, None), ("kompas", None, "boom")])
    lines = text.splitlines()
    assert lines[0].split() == [
        "site",
        "discovered",
        "known",
        "fetched",
        "stored",
        "on-topic",
        "duplicates",
        "errors",
        "blocked",
        "status",
    ]
    assert lines[1].split() == ["detik", "120", "0", "0", "4", "0", "0", "0", "0", "finished"]
    assert lines[2].split()[-4:] == ["3", "blocked", "(3", "blocked)"]
    assert lines[3].split() == ["kompas", "-", "-", "-", "-", "-", "-", "-", "-", "error"]
    # Columns line up: counts end where their heading ends; statuses start together.
    assert lines[0].index("discovered") + len("discovered") == lines[1].index("120") + 3
    assert lines[0].index("status") == lines[1].index("finished") == lines[2].index("blocked (3")
