"""Kills the embedded PostgreSQL and the daemon with its crawl, over and over; prints what survived.

Usage: PYTHONPATH=. python bench/kills.py [--rounds 5]

One daemon (`pantau run`) on the embedded database (no PANTAU_DATABASE_URL, a temp data dir)
crawls two sites of the replay world every 3 s, one story at a time slowed to 1 s so that crawls
are killed mid-way. Each round: `kill -9` of the embedded postmaster (the daemon restarts it),
then SIGKILL of the daemon and its crawl child together (an OOM kill; the next daemon closes the
run at start). Prints: kills survived, seconds from each kill to recovery against the length of a
normal crawl measured in the same run, crawl runs by status (none may stay `running`), and losses
(every story of the world stored exactly once), and whether any postgres was left running.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import tempfile
import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from bench.search_data import server
from tests.support.daemons import daemon, daemon_config
from tests.support.embedded import embedded_rows, postmaster_pid, stop_if_running
from tests.support.fault_server import Fault, serve_faults
from tests.support.helpers import ROOT, pantau_env, wait_for
from tests.support.replay import default_world

SITES = ["okezone", "detik"]


def runs(data_dir: Path) -> list[tuple[Any, ...]]:
    return (
        embedded_rows(data_dir, "SELECT id, site, status, pid, started_at, finished_at FROM crawl_runs") or []
    )


def runs_after_exit(data_dir: Path) -> list[tuple[Any, ...]]:
    """The crawl runs, read from the embedded server started for it (the daemon stopped it)."""
    with server(data_dir / "pgdata"):
        return runs(data_dir)


def closed(data_dir: Path, run_id: int) -> bool:
    """Whether run `run_id` has a terminal status."""
    return any(r[0] == run_id and r[2] != "running" for r in runs(data_dir))


def finished_after(data_dir: Path, run_id: int) -> bool:
    return any(r[0] > run_id and r[2] == "finished" for r in runs(data_dir))


def adopted(data_dir: Path, parent: int) -> tuple[Any, ...] | None:
    """A running crawl row whose crawl child has adopted it."""
    found = [r for r in runs(data_dir) if r[2] == "running" and r[3] not in (None, parent)]
    return max(found) if found else None


def kill_postmaster(data_dir: Path, proc: Any) -> float:
    """kill -9 the postmaster mid-crawl; seconds until a crawl started after it finishes."""
    run = wait_for(lambda: adopted(data_dir, proc.pid), 120, "a crawl in progress")
    killed = postmaster_pid(data_dir)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    start = time.monotonic()
    wait_for(
        lambda: postmaster_pid(data_dir) not in (None, killed) and finished_after(data_dir, run[0]),
        300,
        "recovery",
    )
    return time.monotonic() - start


def kill_daemon(data_dir: Path, proc: Any) -> int:
    """SIGKILL the daemon and its crawl child at once; the id of the run they left."""
    run = wait_for(lambda: adopted(data_dir, proc.pid), 120, "a crawl in progress")
    for pid in (proc.pid, run[3]):
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return int(run[0])


def bench(rounds: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="pantau-kb-"))
    world = default_world()
    recoveries: list[float] = []
    restarts: list[float] = []
    left = 0  # the run the previous round's SIGKILL left
    try:
        with serve_faults(world) as server:
            for site in SITES:
                for story in world.of(site):
                    server.faults[f"{story.host}{story.path}"] = Fault("delay", seconds=1.0)
            config = daemon_config(data_dir / "pantau.toml", server, sites=SITES, interval_minutes=0.05)
            env = pantau_env(config=config, data_dir=data_dir, PYTHONPATH=str(ROOT))
            for n in range(rounds):
                with daemon(env, data_dir / f"daemon-{n}.log") as proc:
                    if n:  # the run the previous round's SIGKILL left must be closed at start
                        start = time.monotonic()
                        wait_for(partial(closed, data_dir, left), 60, f"run {left} closed")
                        restarts.append(time.monotonic() - start)
                    recoveries.append(kill_postmaster(data_dir, proc))
                    left = kill_daemon(data_dir, proc)
            with daemon(env, data_dir / "daemon-last.log") as proc:
                wait_for(partial(closed, data_dir, left), 60, f"run {left} closed")
                for site in SITES:  # a last full crawl of each site: everything killed is fetched again
                    wait_for(
                        lambda site=site: (
                            len(
                                embedded_rows(data_dir, f"SELECT 1 FROM articles WHERE site = '{site}'") or []
                            )
                            == len(world.of(site))
                        ),
                        300,
                        f"every {site} story stored",
                    )
                stored = [r[0] for r in embedded_rows(data_dir, "SELECT canonical_url FROM articles") or []]
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=60)
            # After the SIGTERM the crawl it interrupted must be closed too: read the runs once the
            # daemon is gone (and with it the embedded server, started here again to look).
            leaked = postmaster_pid(data_dir)
            all_runs = runs_after_exit(data_dir)
    finally:
        stop_if_running(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
    normal = [(r[5] - r[4]).total_seconds() for r in all_runs if r[2] == "finished" and r[5] is not None]
    expected = {s.url for site in SITES for s in world.of(site)}
    base = statistics.median(normal)
    median = statistics.median
    lines = [
        f"kills: {rounds} kill -9 of the embedded postmaster, {rounds} SIGKILL of daemon + crawl",
        f"postmaster kills the daemon lived through: {len(recoveries)} of {rounds}; SIGTERM: exit {code}",
        f"postmaster kill -> next crawl finished: median {median(recoveries):.1f} s, "
        f"max {max(recoveries):.1f} s; a normal crawl: median {base:.1f} s "
        f"(ratio {median(recoveries) / base:.2f})",
        f"restarted daemon -> the killed run closed: median {median(restarts or [0]):.1f} s, "
        f"max {max(restarts or [0]):.1f} s",
        "crawl runs: " + ", ".join(f"{n} {s}" for s, n in Counter(r[2] for r in all_runs).most_common()),
        f"stories in the world {len(expected)}, stored {len(set(stored))}, "
        f"lost {len(expected - set(stored))}, duplicate rows {len(stored) - len(set(stored))}",
        f"embedded postgres still running after the last SIGTERM: {'yes' if leaked else 'no'}",
    ]
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the two kills")
    bench(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
