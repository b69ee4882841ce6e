"""PNG screenshots of the web view's main pages over a seeded archive, for reviewers to look at.

Usage: PYTHONPATH=. .venv/bin/python scripts/screenshots.py [--out screenshots]
Starts a throwaway embedded PostgreSQL, seeds it with the test archive (tests/support/archive.py,
moved to end yesterday) and a year of recent copies of its stories, serves the web view on a free
loopback port and photographs each page with Debian's headless Chromium (/usr/bin/chromium).
Nothing is fetched from anywhere but that loopback address.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import socket
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import uvicorn

from pantau.base.settings import load_settings
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from pantau.web.app import create_app
from tests.support.archive import INSERT_ARTICLE, INSERT_TOPIC, STORIES, TOPIC, seed_archive

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
]  # fmt: skip
SITES = ("okezone", "detik", "bisnis", "kompas")


def seed(conn: psycopg.Connection, now: datetime) -> dict[str, int]:
    """The test archive ending yesterday, and a year of dated copies whose pace rises lately."""
    ids = seed_archive(conn)
    newest = conn.execute("SELECT max(published_at) FROM articles").fetchone()[0]  # type: ignore[index]
    shift = now - timedelta(days=1) - newest
    # Every time of a story moves with it: a story seen before it was published would mislead.
    conn.execute(
        "UPDATE articles SET published_at = published_at + %(s)s, first_seen_at = first_seen_at + %(s)s,"
        " last_seen_at = last_seen_at + %(s)s, updated_at = updated_at + %(s)s",
        {"s": shift},
    )
    conn.execute(
        "UPDATE article_versions SET published_at = published_at + %(s)s, replaced_at = replaced_at + %(s)s",
        {"s": shift},
    )
    conn.execute(
        "UPDATE crawl_runs SET started_at = %s - interval '20 minutes', finished_at = %s", (now, now)
    )
    rng = random.Random(17)  # noqa: S311 - made-up coverage, not secrets
    dated = [s for s in STORIES if s.published_at is not None and s.key != "hostile"]
    for day in range(365):
        for n in range(rng.randint(0, 2) + (rng.randint(0, 4) if day < 45 else 0)):
            story = rng.choice(dated)
            site = rng.choice(SITES)
            at = now - timedelta(days=day, hours=rng.randint(1, 20))
            url = f"https://{site}.example/read/{day}/{n}/{story.key}"
            row = conn.execute(
                INSERT_ARTICLE,
                {"site": site, "sid": f"g{day}-{n}", "canonical": url, "url": url, "title": story.title,
                 "lead": story.lead, "body": story.body, "authors": [], "published_at": at,
                 "date_source": "jsonld", "language": story.language,
                 "hash": hashlib.sha256(f"{url}".encode()).hexdigest(), "simhash": day * 10 + n,
                 "version": 1, "first_seen": at, "updated_at": None},
            ).fetchone()  # fmt: skip
            score, on_topic, terms = story.topic
            conn.execute(INSERT_TOPIC, (row[0], TOPIC, score, on_topic, json.dumps(terms)))  # type: ignore[index]
    conn.execute("UPDATE articles SET cluster_id = id WHERE cluster_id IS NULL")
    return ids


@contextmanager
def serving(app: object) -> Iterator[str]:
    """The app on a free loopback port, in a thread; yields its base URL, stops it on exit."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the web view did not start")
        thread.join(0.05)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def shoot(url: str, out: Path, height: int) -> None:
    """One PNG of `url` at 1280 pixels wide."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}",
             f"--window-size=1280,{height}", url],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver  # type: ignore[import-untyped, unused-ignore]
    with tempfile.TemporaryDirectory(prefix="pantau-shots-") as tmp:
        pg = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")  # type: ignore[attr-defined, unused-ignore]
        try:
            with Database(pg.get_uri(), app_name="pantau-screenshots") as db:
                migrate(db)
                with db.connection() as conn:
                    ids = seed(conn, datetime.now(UTC))
                settings = load_settings(None, data_dir=Path(tmp) / "data")
                pages = {
                    "home": ("/", 2200),
                    "home-365-days": ("/?days=365", 1200),
                    "topic": (f"/topics/{TOPIC}?bucket=week", 1400),
                    "topic-monthly": (f"/topics/{TOPIC}?bucket=month", 1400),
                    "search": ("/?q=senjata", 1800),
                    "search-narrowed": ("/search?q=senjata&site=kompas&clusters=1", 1400),
                    "story": (f"/articles/{ids['pasokan']}", 1800),
                    "bad-request": ("/?q=rudal&until=9999-12-31", 500),
                }
                with serving(create_app(db, settings)) as base:
                    for name, (path, height) in pages.items():
                        shoot(base + path, args.out / f"{name}.png", height)
                        print(args.out / f"{name}.png", path)
        finally:
            pg.cleanup()


if __name__ == "__main__":
    main()
