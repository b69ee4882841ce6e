"""The generated archive of the search benchmarks: Indonesian-like stories, loaded by COPY, kept for reuse.

Story number n is the same on every run (its own seeded generator), so an archive of 200,000 stories
is the first fifth of one of 1,000,000. A database named `bench_<size>` is filled once and reused
while its row count matches; pending migrations are applied to it first, as `pantau` would.
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

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
ARMS = {"senjata", "persenjataan", "bersenjata", "senjatanya"}
TITLE_WORDS = ["Kirim", "Bantah", "Soroti", "Ungkap", "Tegaskan", "Ancam", "Kecam", "Dukung"]
RARE_WORD = "Vostochny"  # put into 0.2 % of the stories: the rare-word search
TOPIC_SHARE = 0.03  # a general news archive: a few stories in a hundred are about the topic
ARTICLE_COLUMNS = (
    "id, site, site_article_id, canonical_url, url, title, body, published_at, language, "
    "content_hash, simhash, cluster_id"
)


def _long_tail(count: int) -> tuple[list[str], list[float]]:
    """`count` made-up Indonesian-looking words and Zipf cumulative weights: the rare vocabulary."""
    rng = random.Random(7)
    syllables = [consonant + vowel for consonant in "bdklmnprst" for vowel in "aeiu"]
    words = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(count * 2)})[:count]
    rng.shuffle(words)
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    return words, weights


TAIL, TAIL_WEIGHTS = _long_tail(20_000)


def make_story(number: int) -> tuple[tuple[object, ...], bool]:
    """Story `number` as a COPY row of articles, and whether the topic marks it on topic."""
    rng = random.Random(number)
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
    # The topic's verdict as its scorer would give it: North Korea, Russia and arms all named.
    marked = on_topic and "Korea Utara" in words and "Rusia" in words and bool(ARMS & set(words))
    row = (number + 1, site, str(number), url, url, title, body, published, "id", f"{number:064x}", number)
    return (*row, number + 1), marked


def _load_part(url: str, first: int, count: int) -> list[tuple[int, str, float, bool]]:
    """COPY stories first .. first+count-1; their topic rows, for the caller to load in one stream."""
    marks = []
    with (
        psycopg.connect(url, autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy(f"COPY articles ({ARTICLE_COLUMNS}) FROM STDIN") as copy,
    ):
        for number in range(first, first + count):
            row, marked = make_story(number)
            copy.write_row(row)
            marks.append((number + 1, TOPIC, 6.0 if marked else 0.5, marked))
    return marks


def _load_topics(url: str, parts: list[list[tuple[int, str, float, bool]]]) -> None:
    """COPY the topic rows in one stream: 0040's triggers add each on-topic row to summary rows
    (topic, hour, site) that stories of every part share, so two long COPY transactions would lock
    them in opposite orders and deadlock."""
    with (
        psycopg.connect(url, autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy("COPY article_topics (article_id, topic, score, on_topic) FROM STDIN") as copy,
    ):
        for marks in parts:
            for mark in marks:
                copy.write_row(mark)


def _gin_indexes(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(name, definition) of every GIN index in the schema: built once after the load."""
    rows = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = 'public' AND indexdef LIKE '%USING gin%'"
    ).fetchall()
    return [(str(name), str(definition)) for name, definition in rows]


def fill(url: str, first: int, stories: int, workers: int = 2) -> None:
    """Append stories first .. first+stories-1 with parallel COPY streams, then index and analyze."""
    with psycopg.connect(url, autocommit=True) as conn:
        indexes = _gin_indexes(conn)
        for name, _definition in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    share = stories // workers
    parts = [
        (url, first + i * share, share if i < workers - 1 else stories - share * i) for i in range(workers)
    ]
    try:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            marks = pool.starmap(_load_part, parts)
        _load_topics(url, marks)
    finally:  # a failed load must not leave the kept archive without its indexes
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                conn.execute(definition.encode())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))")
        conn.execute("VACUUM ANALYZE")


@contextmanager
def server(data_dir: Path) -> Iterator[str]:
    """The URL of a PostgreSQL kept in `data_dir` (started if needed, stopped at the end)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver  # type: ignore[import-untyped, unused-ignore]
    pg = pgserver.get_server(data_dir, cleanup_mode="stop")  # type: ignore[attr-defined, unused-ignore]
    try:
        yield pg.get_uri()
    finally:
        pg.cleanup()


def database(admin_url: str, stories: int) -> tuple[str, bool]:
    """The URL of database bench_<stories> on the server, created if missing; and whether it is new."""
    name = f"bench_{stories}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url.replace("/postgres?", f"/{name}?"), not exists


def ensure_filled(url: str, stories: int) -> float | None:
    """Fill the database up to `stories` stories; the seconds it took, or None if it already had them."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM articles").fetchone()
        have = int(row[0]) if row else 0
        if have > stories:
            conn.execute("TRUNCATE articles CASCADE")
            have = 0
    if have == stories:
        return None
    started = time.perf_counter()
    fill(url, have, stories - have)
    return time.perf_counter() - started
