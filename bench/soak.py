"""A bounded soak: `pantau run` against the replay world for N crawl cycles, loopback only.

Usage: PYTHONPATH=. python bench/soak.py [--cycles 40] [--interval 2] [--new-every 8]

Starts a throwaway PostgreSQL (pgserver, in a temp dir), the replay world of the four sites, a
recording SMTP server (aiosmtpd) and one daemon (`pantau run`, a subprocess) crawling every site
every `interval` seconds with a per-minute digest subscription. Every `new-every` finished crawls a
new story appears on each site. Stops after `cycles` finished crawl runs, then prints: the daemon's
resident memory after warm-up (the first 10 % of cycles) and at the end, crawls by status, stories
stored, digests and deliveries, and any duplicate or loss (every story of the world stored exactly
once; every delivery once per (digest, recipient), each message received once).
Target: memory growth under 10 % after warm-up, zero duplicates, zero losses.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller

from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from tests.support.daemons import daemon, daemon_config, environment
from tests.support.fault_server import serve_faults
from tests.support.helpers import free_port, wait_for
from tests.support.mail import Handler
from tests.support.replay import Story, World, default_world, load_story_text
from tests.support.replay.world import WIB

SUBSCRIPTION = {
    "name": "soak",
    "recipients": ["soak@example.org"],
    "schedule": "* * * * *",
    "send_empty": True,
}
IDS = {"okezone": 3300000, "detik": 8700000, "bisnis": 2000000, "kompas": 0}


def rss_kib(pid: int) -> int:
    """Resident set size of a process, KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def add_stories(world: World, n: int) -> None:
    """One new story per site, published now (the world's clock moves to now)."""
    title, paragraphs = load_story_text("kompas_seed_kim_bertemu_putin")
    world.now = datetime.now(WIB).replace(microsecond=0)
    for site, base in IDS.items():
        article_id = f"{world.now:%H%M%S}{n % 1000:03d}" if site == "kompas" else str(base + n)
        opening = f"Laporan soak nomor {n} untuk {site}."
        world.add(Story(site, article_id, world.now, f"{title} ({site} {n})", [opening, *paragraphs]))


def finished_runs(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT site, status FROM crawl_runs WHERE status <> 'running'").fetchall()


def check(url: str, world: World, handler: Handler) -> dict[str, int]:
    """Duplicates and losses, as counts (all should be 0 but the totals)."""
    expected = {s.url for site in IDS for s in world.of(site)}
    with psycopg.connect(url) as conn:
        stored = [r[0] for r in conn.execute("SELECT canonical_url FROM articles")]
        deliveries = conn.execute(
            "SELECT digest_id, recipient, status, message_id FROM deliveries"
        ).fetchall()
        digests = conn.execute("SELECT subscription, period_end FROM digests").fetchall()
    sent = [d for d in deliveries if d[2] == "sent"]
    received_ids = [r.message["Message-ID"] for r in handler.received]
    return {
        "stories in the world": len(expected),
        "stored": len(set(stored)),
        "lost (in the world, not stored)": len(expected - set(stored)),
        "duplicate article rows": len(stored) - len(set(stored)),
        "digests": len(digests),
        "duplicate digest periods": len(digests) - len(set(digests)),
        "deliveries sent": len(sent),
        "duplicate deliveries": len(deliveries) - len({(d[0], d[1]) for d in deliveries}),
        "messages received": len(handler.received),
        "messages received twice": len(received_ids) - len(set(received_ids)),
        "deliveries not sent": len(deliveries) - len(sent),
    }


def soak(cycles: int, interval: float, new_every: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    tmp = Path(tempfile.mkdtemp(prefix="pantau-soak-"))
    pg = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
    url = pg.get_uri()
    with Database(url, app_name="soak") as db:
        migrate(db)
    handler = Handler()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    world = default_world()
    try:
        with serve_faults(world) as server:
            config = daemon_config(
                tmp / "pantau.toml",
                server,
                sites=list(IDS),
                interval_minutes=interval / 60,
                subscriptions=[SUBSCRIPTION],
            )
            env = environment(config, url, tmp, f"smtp://127.0.0.1:{smtp.port}")
            started = time.monotonic()
            with daemon(env, tmp / "daemon.log") as proc:
                warm, added, samples = max(1, cycles // 10), 0, []
                while (done := len(finished_runs(url))) < cycles:
                    assert proc.poll() is None, (tmp / "daemon.log").read_text()[-3000:]
                    if done >= (added + 1) * new_every:
                        added += 1
                        add_stories(world, added)
                    if done >= warm and not samples:
                        samples.append(rss_kib(proc.pid))
                    time.sleep(0.5)
                samples.append(rss_kib(proc.pid))
                # The last stories and digests: one more crawl per site and a minute's digest.
                target = len(finished_runs(url)) + 2 * len(IDS)
                wait_for(lambda: len(finished_runs(url)) >= target, 300, "the last crawls")
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
            took = time.monotonic() - started
            results = check(url, world, handler)
            statuses = Counter(status for _, status in finished_runs(url))
    finally:
        smtp.stop()
        pg.cleanup()
    growth = (samples[-1] - samples[0]) / samples[0] * 100
    print(f"soak: {cycles} crawl cycles (4 sites, every {interval:g} s), {took:.0f} s wall clock")
    print(
        f"daemon RSS after warm-up ({warm} cycles): {samples[0] / 1024:.1f} MiB; at the end: "
        f"{samples[-1] / 1024:.1f} MiB; growth {growth:+.1f} %"
    )
    print("crawl runs: " + ", ".join(f"{n} {status}" for status, n in statuses.most_common()))
    for name, value in results.items():
        print(f"{name:34} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=40, help="finished crawl runs to wait for")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between crawls of a site")
    parser.add_argument("--new-every", type=int, default=8, help="finished crawls between new stories")
    args = parser.parse_args()
    soak(args.cycles, args.interval, args.new_every)


if __name__ == "__main__":
    main()
