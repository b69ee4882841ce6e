"""Search latency at archive scale: the tsvector/GIN search vs a naive ILIKE scan, same run, same data.

Usage: python bench/search.py [--stories 200000] [--runs 30] [--scan-runs 5]
Fills a throwaway database (an embedded PostgreSQL in a temp dir, or PANTAU_DATABASE_URL — whose
articles are then DELETED, so point it at a scratch database) with generated Indonesian-like
stories through COPY, then prints p50/p95 latency of representative searches through
`storage.search.search` (ranking + snippets included) and of the same searches as ILIKE scans.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import psycopg

from pantau.storage import search as archive_search
from pantau.storage.db import Database
from pantau.storage.migrate import migrate
from pantau.storage.search import Filters

SITES = ("okezone", "detik", "bisnis", "kompas")
TOPIC = "nk-russia-arms"
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 900
# Everyday news words (frequent), then subject words of other beats, then the topic's words with
# their affixed forms and multi-word terms (as single choices, so phrases occur in order).
COMMON = (  # noqa: SIM905 - word lists read better as text
    "yang dan di ke dari ini itu dengan untuk pada dalam tidak akan juga telah sudah oleh karena "
    "para kata mengatakan menurut tersebut bisa lebih saat masih hari tahun bulan pihak kami mereka "
    "pemerintah presiden menteri negara indonesia jakarta warga masyarakat kebijakan rapat laporan"
).split()
OTHER = (  # noqa: SIM905
    "harga pasar saham rupiah inflasi investasi bank kredit ekspor impor perdagangan emas minyak "
    "pertumbuhan ekonomi anggaran pajak pemilu partai calon dewan kampanye suara sepak bola pemain "
    "pelatih pertandingan liga gol musim banjir hujan cuaca gempa bencana sekolah siswa guru kampus "
    "wisata turis hotel pantai festival film musik konser polisi kasus tersangka pengadilan hakim"
).split()
TOPIC_WORDS = [
    *("Korea Utara", "Korut", "Pyongyang", "Rusia", "Moskow", "Kremlin", "Putin", "Kim Jong Un"),
    *("senjata", "persenjataan", "bersenjata", "senjatanya", "amunisi", "peluru", "artileri"),
    *("rudal balistik", "rudal", "KN-23", "pasukan", "tentara", "prajurit", "kerja sama militer"),
    *("pakta pertahanan", "sanksi", "Ukraina", "Kursk", "pelabuhan Rajin", "kontainer"),
]
TITLE_WORDS = ["Kirim", "Bantah", "Soroti", "Ungkap", "Tegaskan", "Ancam", "Kecam", "Dukung"]


def _long_tail(count: int) -> tuple[list[str], list[float]]:
    """`count` made-up Indonesian-looking words and Zipf cumulative weights: the rare vocabulary."""
    rng = random.Random(7)
    syllables = [consonant + vowel for consonant in "bdklmnprst" for vowel in "aeiu"]
    words = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(count * 2)})[:count]
    rng.shuffle(words)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    return words, weights


TAIL, TAIL_WEIGHTS = _long_tail(20_000)
RARE_WORD = "Vostochny"  # put into 0.2 % of the stories: the rare-word search
TOPIC_SHARE = 0.03  # a general news archive: a few stories in a hundred are about the topic


def make_story(rng: random.Random, number: int) -> tuple[object, ...]:
    """One generated story as a COPY row: common words, beat words, a long tail, maybe the topic."""
    on_topic = rng.random() < TOPIC_SHARE
    pool = COMMON * 3 + (TOPIC_WORDS * 2 if on_topic else []) + OTHER
    length = rng.randint(300, 600)
    words = rng.choices(pool, k=length * 2 // 3) + rng.choices(TAIL, cum_weights=TAIL_WEIGHTS, k=length // 3)
    rng.shuffle(words)
    if rng.random() < 0.002:
        words.insert(rng.randrange(len(words)), RARE_WORD)
    subject = rng.sample(TOPIC_WORDS if on_topic else OTHER, 3)
    title = f"{subject[0].title()} {rng.choice(TITLE_WORDS)} {subject[1]} dan {subject[2]}"
    sentences = [" ".join(words[i : i + 15]).capitalize() + "." for i in range(0, len(words), 15)]
    body = "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))
    site = SITES[number % 4]
    published = START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
    url = f"https://{site}.example/read/{number}"
    return (site, str(number), url, url, title, body, published, "id", f"{number:064x}", number)


def _load_part(url: str, first: int, count: int) -> None:
    rng = random.Random(first)
    columns = (
        "site, site_article_id, canonical_url, url, title, body, published_at, language, "
        "content_hash, simhash"
    )
    with (
        psycopg.connect(url, autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy(f"COPY articles ({columns}) FROM STDIN") as copy,
    ):
        for number in range(first, first + count):
            copy.write_row(make_story(rng, number))


def fill(url: str, stories: int) -> None:
    """Load `stories` generated stories with two parallel COPY streams, index them, score them."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE articles CASCADE")
        # Building the GIN index once after the load is much faster than maintaining it row by row.
        conn.execute("DROP INDEX IF EXISTS articles_search_idx")
    workers = 2
    share = stories // workers
    parts = [(url, i * share, share if i < workers - 1 else stories - share * i) for i in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.starmap(_load_part, parts)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("CREATE INDEX articles_search_idx ON articles USING gin (search)")  # as in 0001
        conn.execute(
            """INSERT INTO article_topics (article_id, topic, score, on_topic, matched_terms)
               SELECT id, %s, CASE WHEN hit THEN 6 ELSE 0.5 END, hit, '[]'
               FROM (SELECT id, search @@ to_tsquery('indonesian', 'korea <-> utara & rusia & senjata') AS hit
                     FROM articles) s""",
            (TOPIC,),
        )
        conn.execute("VACUUM ANALYZE articles")
        conn.execute("VACUUM ANALYZE article_topics")


# name, index filters, the same search as an ILIKE scan (WHERE clause, and its parameters)
SEARCHES: list[tuple[str, Filters, str, tuple[object, ...]]] = [
    ("rare word", Filters(query="vostochny"), "(title ILIKE %s OR body ILIKE %s)", ("%vostochny%",) * 2),
    ("topic word", Filters(query="kursk"), "(title ILIKE %s OR body ILIKE %s)", ("%kursk%",) * 2),
    (
        "common word",
        Filters(query="pemerintah"),
        "(title ILIKE %s OR body ILIKE %s)",
        ("%pemerintah%",) * 2,
    ),
    (
        "stemmed: persenjataan",
        Filters(query="persenjataan"),
        "(title ILIKE %s OR body ILIKE %s)",
        ("%senjata%",) * 2,
    ),
    (
        "phrase",
        Filters(query='"rudal balistik"'),
        "(title ILIKE %s OR body ILIKE %s)",
        ("%rudal balistik%",) * 2,
    ),
    (
        "OR",
        Filters(query="kursk OR rajin"),
        "(title ILIKE %s OR body ILIKE %s OR title ILIKE %s OR body ILIKE %s)",
        ("%kursk%", "%kursk%", "%rajin%", "%rajin%"),
    ),
    (
        "exclusion",
        Filters(query="amunisi -ukraina"),
        "(title ILIKE %s OR body ILIKE %s) AND NOT (title ILIKE %s OR body ILIKE %s)",
        ("%amunisi%", "%amunisi%", "%ukraina%", "%ukraina%"),
    ),
    (
        "site + month",
        Filters(
            query="rudal",
            sites=("detik",),
            since=datetime(2024, 3, 1).date(),
            until=datetime(2024, 3, 31).date(),
        ),
        "(title ILIKE %s OR body ILIKE %s) AND site = 'detik' AND published_at >= '2024-03-01 00:00+07' "
        "AND published_at < '2024-04-01 00:00+07'",
        ("%rudal%",) * 2,
    ),
    (
        "topic join",
        Filters(query="pyongyang", topic=TOPIC),
        "(title ILIKE %s OR body ILIKE %s) AND EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = "
        f"articles.id AND t.topic = '{TOPIC}' AND t.on_topic)",
        ("%pyongyang%",) * 2,
    ),
]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 of `runs` calls, in milliseconds (one warm-up call first)."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def _scan(conn: psycopg.Connection, query: str, params: tuple[object, ...]) -> object:
    return conn.execute(query.encode(), params).fetchall()


def measure(db: Database, runs: int, scan_runs: int) -> None:
    with db.connection() as conn:
        count = conn.execute("SELECT count(*) FROM articles").fetchone()
        print(f"{count[0] if count else 0} stories; p50/p95 in ms; index = storage.search.search (limit 20,")
        print("ranked, snippets); scan = the same filter as ILIKE on title/body, newest 20\n")
        header = ("search", "hits", "index p50", "p95", "scan p50", "p95", "p95 ratio")
        print("{:24} {:>5} {:>10} {:>8} {:>10} {:>8} {:>10}".format(*header))
        for name, filters, where, params in SEARCHES:
            hits = len(archive_search.search(conn, filters))
            index = timed(partial(archive_search.search, conn, filters), runs)
            scan_sql = f"SELECT id FROM articles WHERE {where} ORDER BY published_at DESC LIMIT 20"
            scan = timed(partial(_scan, conn, scan_sql, params), scan_runs)
            ratio = scan[1] / index[1] if index[1] else float("inf")
            figures = (name, hits, *index, *scan, ratio)
            print("{:24} {:5} {:10.1f} {:8.1f} {:10.1f} {:8.1f} {:9.0f}x".format(*figures))
        # What the rank window buys: rank every match of a common word instead of the newest ones.
        window = archive_search.RANK_WINDOW
        archive_search.RANK_WINDOW = 10_000_000
        full = timed(lambda: archive_search.search(conn, Filters(query="pemerintah")), max(3, runs // 5))
        archive_search.RANK_WINDOW = window
        print(
            f"\ncommon word ranked over ALL matches (no window): p50 {full[0]:.1f} ms, p95 {full[1]:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scan-runs", type=int, default=5)
    parser.add_argument("--no-fill", action="store_true", help="measure PANTAU_DATABASE_URL as it is")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as tmp:
        url = os.environ.get("PANTAU_DATABASE_URL")
        server = None
        if not url:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pgserver  # type: ignore[import-untyped, unused-ignore]
            server = pgserver.get_server(  # type: ignore[attr-defined, unused-ignore]
                Path(tmp) / "pg", cleanup_mode="stop"
            )
            url = server.get_uri()
        try:
            with Database(url, app_name="pantau-bench") as db:
                migrate(db)
                if not args.no_fill:
                    started = time.perf_counter()
                    fill(url, args.stories)
                    print(
                        f"loaded and indexed {args.stories} stories in {time.perf_counter() - started:.0f} s"
                    )
                measure(db, args.runs, args.scan_runs)
        finally:
            if server is not None:
                server.cleanup()


if __name__ == "__main__":
    main()
