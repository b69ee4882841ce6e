"""What `pantau crawl` prints for people: a few lines per site at INFO, Scrapy's bookkeeping at DEBUG."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.replay import default_world, serve
from tests.support.replay.crawl import pantau_crawl

pytestmark = pytest.mark.slow  # crawl subprocesses

INFO_BUDGET = 60  # issue 13: a clean crawl of the four sites, at most about 60 lines
# One record per line: time in the configured zone (Asia/Jakarta by default), level, logger.
RECORD = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00 (DEBUG|INFO|WARNING|ERROR) [\w.]+: ")


def crawl(tmp_path: Path, database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`pantau crawl ARGS` over a clean replay world (no faults) on the test database."""
    with serve(default_world()) as server:
        return pantau_crawl(server, tmp_path, database_url, *args, **env)


def test_a_clean_crawl_of_the_four_sites_is_a_few_lines_per_site(database_url, tmp_path):
    result = crawl(tmp_path, database_url)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    print(f"INFO lines of a clean crawl of the four sites: {len(lines)}")  # the figure for the report
    assert len(lines) <= INFO_BUDGET, result.stderr
    assert all(RECORD.match(line) for line in lines), result.stderr
    assert not any(" scrapy." in line or "Disabled" in line for line in lines)
    assert "embedded PostgreSQL" not in result.stderr
    ended = [line for line in lines if "crawl ended: " in line]
    assert len(ended) == 4
    for line in ended:  # one summary line per site, with its counts
        assert re.search(r"crawl ended: finished; discovered \d+, known \d+, fetched \d+, stored \d+,", line)


def test_scrapys_dumps_are_still_there_at_debug(database_url, tmp_path):
    result = crawl(tmp_path, database_url, "detik", PANTAU_LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr[-3000:]
    debug = [line for line in result.stderr.splitlines() if " DEBUG scrapy." in line]
    assert any("DEBUG scrapy.statscollectors: Dumping Scrapy stats:" in line for line in debug)
    assert any("DEBUG scrapy.middleware: Enabled downloader middlewares:" in line for line in debug)
    assert not any(" INFO scrapy." in line for line in result.stderr.splitlines())
