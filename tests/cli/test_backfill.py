"""`pantau backfill` as users run it: progress lines off a terminal, a summary, clear errors."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from pantau.cli.backfill import _table, progress_lines, render_summary
from pantau.crawler.backfill.plan import Range
from pantau.crawler.backfill.run import Backfill, SiteState
from pantau.storage.backfill import Progress
from tests.support.helpers import run_pantau
from tests.support.replay.crawl import write_config


def pantau(args: list[str], config: Path, database_url: str, data: Path) -> subprocess.CompletedProcess[str]:
    """`pantau backfill ARGS` in a subprocess on the test database."""
    return run_pantau("backfill", *args, config=config, database_url=database_url, data_dir=data, timeout=300)


@pytest.mark.slow
def test_backfill_command_logs_progress_and_prints_a_summary(backfill_replay, database_url, tmp_path, today):
    _world, expected, server = backfill_replay
    config = write_config(tmp_path / "pantau.toml", server)
    since, until = today - timedelta(days=10), today - timedelta(days=1)
    args = ["okezone", "--since", f"{since}", "--until", f"{until}", "--progress-every", "0.3"]
    done = pantau(args, config, database_url, tmp_path / "data")
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(
        r"backfill okezone: \d+/10 dates, \d+ found, \d+ stored, \d+ on topic, ETA ", done.stderr
    )
    header, row = done.stdout.strip().splitlines()
    assert header.split() == [
        "site",
        "dates",
        "pages",
        "requests",
        "found",
        "stored",
        "on-topic",
        "runs",
        "status",
    ]
    cells = row.split()
    wanted = [s for s in expected["okezone"] if since <= s.local.date() <= until]
    assert cells[0] == "okezone"
    assert cells[1] == "10/10"
    assert cells[-1] == "done"
    assert int(cells[6]) == len(wanted)  # on topic
    assert int(cells[3]) == len(server.requests("okezone"))  # every request is counted


def test_bad_input_is_refused_naming_the_option(backfill_replay, database_url, tmp_path):
    config = write_config(tmp_path / "pantau.toml", backfill_replay[2])
    reversed_range = pantau(
        ["--since", "2024-06-10", "--until", "2024-06-01"], config, database_url, tmp_path
    )
    assert reversed_range.returncode == 2
    assert "--since 2024-06-10 is after --until 2024-06-01" in reversed_range.stderr
    topic = pantau(["--since", "2024-06-01", "--topic", "nope"], config, database_url, tmp_path)
    assert topic.returncode == 2
    assert "no topic 'nope'" in topic.stderr
    assert backfill_replay[2].requests("detik") == []


def test_progress_renders_for_terminals_and_logs(backfill_settings, database_url, today):
    job = Backfill(
        backfill_settings,
        ["detik", "kompas"],
        Range(today - timedelta(days=9), today, today),
        "nk-russia-arms",
        database_url,
    )
    job.started = datetime.now(UTC) - timedelta(minutes=10)
    job.states["detik"] = SiteState(
        "detik", 10, dates_done=5, status="running", progress=Progress(12, 40, 38, 6, 120)
    )
    job.states["kompas"] = SiteState("kompas", 10, status="locked")
    lines = progress_lines(job, {"detik": 0, "kompas": 0})
    assert lines[0] == "backfill detik: 5/10 dates, 40 found, 38 stored, 6 on topic, ETA 10m00s, running"
    assert lines[1].endswith("ETA ?, locked")
    out = io.StringIO()
    Console(file=out, width=120, force_terminal=False).print(_table(job, {"detik": 0, "kompas": 0}))
    assert re.search(r"detik\s+│\s+5/10 .*│\s+40 │\s+38 │\s+6 │ 10m00s\s+│ running", out.getvalue())
    summary = render_summary(job)
    assert summary.splitlines()[1].split() == ["detik", "5/10", "12", "120", "40", "38", "6", "0", "running"]
