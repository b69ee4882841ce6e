"""What one store_article costs as the archive grows: ms per new story on an empty and a filled archive.

Usage: PYTHONPATH=. python bench/store.py [--rows 20000] [--stores 50]

An embedded PostgreSQL in a temp dir; the same random-fingerprint rows as
tests/storage/test_store_index.py (which checks that a store reads no table scan). Prints ms per
store on an empty archive (the baseline, same run) and on one of `--rows` stories, and their ratio:
with the band indexes a store stays near the baseline; a scan would grow with the rows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from pantau.storage.articles import store_article
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from tests.support.articles import build_article, fill_fingerprints


def per_store_ms(db: Database, first: int, stores: int) -> float:
    """Store `stores` new stories (ids from `first`) and return the mean ms per store."""
    with db.connection() as conn:
        started = time.perf_counter()
        for n in range(first, first + stores):
            store_article(conn, build_article(n, text=f"Isi unik nomor {n}: Kim bertemu Putin lagi."))
        return (time.perf_counter() - started) * 1000 / stores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--stores", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver  # type: ignore[import-untyped, unused-ignore]
        server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")  # type: ignore[attr-defined, unused-ignore]
        try:
            with Database(server.get_uri(), app_name="pantau-bench") as db:
                migrate(db)
                per_store_ms(db, 900_000, 10)  # warm-up: connection, plans, caches
                empty = per_store_ms(db, 100_000, args.stores)
                with db.connection() as conn:
                    fill_fingerprints(conn, args.rows)
                filled = per_store_ms(db, 500_000, args.stores)
        finally:
            server.cleanup()
    print(f"store_article, empty archive: {empty:.1f} ms per new story (baseline)")
    print(f"store_article, {args.rows} stories: {filled:.1f} ms per new story")
    print(f"ratio filled/empty = {filled / empty:.2f}")


if __name__ == "__main__":
    main()
