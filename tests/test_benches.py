"""Every benchmark under bench/ still runs: each at a tiny size, through its own command line.

Nothing else runs them, and a change elsewhere (a moved name, a dropped column) broke two of them
unnoticed. The figures printed here mean nothing at these sizes; what is checked is that each
bench gets to the end and prints its table. Each starts its own throwaway embedded PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.helpers import ROOT

pytestmark = pytest.mark.slow

BENCHES = [
    (["bench/pipeline.py", "--pages", "20"], "ratio ours/bare = "),
    (["bench/topics.py", "tests/files/topics/labelled.jsonl"], "speed: "),
    (["bench/search.py", "--stories", "2000", "--runs", "2", "--scan-runs", "1", "--store", "5"],
     "store rate (stories/s)"),
    (["bench/web.py", "--stories", "2000", "--runs", "2"], "the 365-day chart's query: summary table p95"),
    (["bench/clusters.py", "--sizes", "0", "2000", "--per-day", "100"], "x1.00 of the first size"),
    (["bench/reprocess.py", "--stories", "500", "--pages", "20"], "daemon background rescore of 500 stories"),
]  # fmt: skip


@pytest.mark.parametrize(("command", "last_line"), BENCHES, ids=[b[0][0] for b in BENCHES])
def test_the_bench_runs_to_its_last_figure(command, last_line):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert last_line in done.stdout, done.stdout[-2000:]
