"""A small, realistic archive for the CLI and web tests, written with plain SQL (no crawler needed).

Stories across four sites and several months; one story in three copies (a cluster); one story
updated after it was first stored (an earlier version); an English one; a hostile one; one without
a date. Times are written as WIB (UTC+7), as the sites publish them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from pantau.storage.db import Database

WIB = timezone(timedelta(hours=7))
TOPIC = "nk-russia-arms"


@dataclass
class Story:
    key: str
    site: str
    title: str
    body: str
    published_at: datetime | None
    lead: str | None = None
    language: str | None = "id"
    cluster: str | None = None  # key of the cluster's first story
    topic: tuple[float, bool, list[str]] = (0.0, False, [])
    authors: list[str] = field(default_factory=list)
    url: str | None = None
    date_source: str = "jsonld"


STORIES = [
    Story(
        "pasokan",
        "okezone",
        "Korea Utara Kirim Persenjataan ke Rusia Lewat Pelabuhan Rajin",
        "Korea Utara disebut telah mengirim persenjataan dan amunisi artileri ke Rusia melalui "
        "pelabuhan Rajin. Citra satelit menunjukkan ratusan kontainer dimuat ke kapal berbendera Rusia.\n"
        "Penasihat Keamanan Nasional AS menyatakan negosiasi senjata antara Korea Utara dan Rusia "
        "secara aktif mengalami kemajuan.",
        datetime(2025, 1, 31, 23, 30, tzinfo=WIB),
        lead="Pyongyang diduga memasok peluru artileri untuk perang di Ukraina.",
        cluster="pasokan",
        topic=(7.5, True, ["Korea Utara", "Rusia", "persenjataan", "amunisi"]),
        authors=["Assyifa Eka Putri"],
    ),
    Story(
        "pasokan-detik",
        "detik",
        "Intelijen: Pyongyang Pasok Amunisi Artileri untuk Moskow",
        "Pyongyang mengirim amunisi artileri ke Moskow lewat pelabuhan Rajin, menurut intelijen. "
        "Kontainer berisi peluru dimuat ke kapal Rusia.",
        datetime(2025, 2, 1, 8, 0, tzinfo=WIB),
        cluster="pasokan",
        topic=(6.0, True, ["Pyongyang", "Moskow", "amunisi"]),
    ),
    Story(
        "pasokan-kompas",
        "kompas",
        "Kontainer Amunisi dari Rajin Tiba di Rusia",
        "Kontainer amunisi dari pelabuhan Rajin, Korea Utara, tiba di pelabuhan Rusia Vostochny. "
        "Pengiriman persenjataan ini memperkuat kerja sama militer kedua negara.",
        datetime(2025, 2, 1, 10, 15, tzinfo=WIB),
        cluster="pasokan",
        topic=(6.5, True, ["Korea Utara", "Rusia", "amunisi", "kerja sama militer"]),
    ),
    Story(
        "kn23",
        "kompas",
        "Rudal KN-23 Korea Utara Dipakai Rusia untuk Serang Kharkiv",
        "Jaksa Agung Ukraina menyebut rudal balistik KN-23 buatan Korea Utara dipakai Rusia untuk "
        "menyerang Kharkiv. Serpihan rudal balistik itu diperiksa para ahli.",
        datetime(2025, 1, 10, 14, 0, tzinfo=WIB),
        topic=(8.0, True, ["KN-23", "Korea Utara", "Rusia", "rudal"]),
        authors=["Kompas Cyber Media"],
    ),
    Story(
        "emas",
        "bisnis",
        "Harga Emas Antam Naik Rp5.000 Sepekan",
        "Harga emas Antam naik tipis pekan ini. Analis menyebut sanksi terhadap Rusia dan ketegangan "
        "geopolitik membuat investor memburu aset aman. Balistik tidak disebut di sini.",
        datetime(2025, 2, 15, 9, 0, tzinfo=WIB),
        topic=(0.5, False, ["Rusia"]),
    ),
    Story(
        "wisata",
        "okezone",
        "Wisata ke Pyongyang: Turis Rusia Datang Lagi",
        "Turis Rusia kembali berwisata ke Korea Utara. Mereka mengunjungi Pyongyang dan resor ski "
        "Masikryong dengan paket wisata dari Vladivostok.",
        datetime(2024, 12, 20, 11, 0, tzinfo=WIB),
        topic=(1.0, False, ["Korea Utara", "Rusia"]),
    ),
    Story(
        "pakta",
        "detik",
        "Putin dan Kim Jong Un Teken Pakta Pertahanan di Pyongyang",
        "Presiden Rusia Vladimir Putin dan Kim Jong Un menandatangani perjanjian kemitraan strategis "
        "yang mencakup saling membantu bila diserang. Pakta pertahanan ini dikecam Barat.",
        datetime(2024, 6, 19, 20, 0, tzinfo=WIB),
        topic=(9.0, True, ["Putin", "Kim Jong Un", "pakta pertahanan"]),
    ),
    Story(
        "troops-en",
        "kompas",
        "North Korea sends troops to Russia, Seoul says",
        "South Korea's spy agency says North Korea has sent troops to Russia to fight in Ukraine.",
        datetime(2025, 1, 15, 7, 0, tzinfo=WIB),
        language="en",
        topic=(5.0, True, ["North Korea", "Russia", "troops"]),
    ),
    Story(
        "kursk",
        "bisnis",
        "Pasukan Korut Bertempur di Kursk, Ukraina Klaim Tangkap Dua Tentara",
        "Ukraina mengklaim menangkap dua tentara Korea Utara di wilayah Kursk, Rusia. "
        "Pasukan Korut disebut bertempur bersama tentara Rusia.",
        datetime(2025, 1, 20, 16, 45, tzinfo=WIB),
        topic=(7.0, True, ["Korut", "Kursk", "pasukan", "tentara"]),
    ),
    Story(
        "hostile",
        "okezone",
        "<img src=x onerror=alert(1)> Senjata Rahasia <b>Terungkap</b>",
        'Dokumen senjata rahasia <script>alert("x")</script> bocor ke publik & [bold]media[/bold].',
        datetime(2023, 5, 5, 12, 0, tzinfo=WIB),
        url="javascript:alert(1)",
        topic=(3.5, True, ["senjata"]),
    ),
    Story(
        "undated",
        "detik",
        "Sanksi Baru untuk Perusahaan Pengiriman Senjata",
        "Amerika Serikat menjatuhkan sanksi baru kepada perusahaan pengiriman senjata.",
        None,
        date_source="none",
    ),
]

# The text of the "pasokan" story before it was updated (version 1 of 2).
OLD_VERSION = {
    "title": "Korea Utara Diduga Kirim Senjata ke Rusia",
    "body": "Korea Utara diduga mengirim senjata ke Rusia. Belum ada konfirmasi resmi.",
}

INSERT_ARTICLE = """
INSERT INTO articles (site, site_article_id, canonical_url, url, title, lead, body, authors,
                      published_at, date_source, language, language_prob, content_hash, simhash,
                      version, first_seen_at, updated_at)
VALUES (%(site)s, %(sid)s, %(canonical)s, %(url)s, %(title)s, %(lead)s, %(body)s, %(authors)s,
        %(published_at)s, %(date_source)s, %(language)s, 0.99, %(hash)s, %(simhash)s, %(version)s,
        %(first_seen)s, %(updated_at)s)
RETURNING id
"""
INSERT_TOPIC = """
INSERT INTO article_topics (article_id, topic, score, on_topic, matched_terms)
VALUES (%s, %s, %s, %s, %s)
"""
INSERT_VERSION = """
INSERT INTO article_versions (article_id, version, title, body, content_hash, published_at, replaced_at)
VALUES (%s, 1, %s, %s, %s, %s, %s)
"""
INSERT_RUN = """
INSERT INTO crawl_runs (site, started_at, finished_at, status, counts)
VALUES (%s, %s, %s, %s, %s)
"""


def canonical_url(story: Story, number: int) -> str:
    hosts = {"okezone": "news.okezone.com", "detik": "news.detik.com", "bisnis": "kabar24.bisnis.com",
             "kompas": "www.kompas.com"}  # fmt: skip
    return f"https://{hosts[story.site]}/read/2025/{number}/{story.key}"


def seed_archive(conn) -> dict[str, int]:
    """Insert the stories (with topics, clusters, one earlier version, crawl runs); return ids by key."""
    ids: dict[str, int] = {}
    with conn.transaction():
        for number, story in enumerate(STORIES, start=1000):
            canonical = canonical_url(story, number)
            updated = story.key == "pasokan"
            first_seen = (story.published_at or datetime(2025, 2, 2, tzinfo=WIB)) + timedelta(minutes=5)
            row = conn.execute(
                INSERT_ARTICLE,
                {
                    "site": story.site,
                    "sid": str(number),
                    "canonical": canonical,
                    "url": story.url or canonical + "?page=all",
                    "title": story.title,
                    "lead": story.lead,
                    "body": story.body,
                    "authors": story.authors,
                    "published_at": story.published_at,
                    "date_source": story.date_source,
                    "language": story.language,
                    "hash": hashlib.sha256(story.body.encode()).hexdigest(),
                    "simhash": number,
                    "version": 2 if updated else 1,
                    "first_seen": first_seen,
                    "updated_at": first_seen + timedelta(hours=3) if updated else None,
                },
            ).fetchone()
            ids[story.key] = row[0]
            score, on_topic, terms = story.topic
            if story.key != "undated":  # one story was never scored
                conn.execute(INSERT_TOPIC, (row[0], TOPIC, score, on_topic, json.dumps(terms)))
        for story in STORIES:
            if story.cluster:
                conn.execute(
                    "UPDATE articles SET cluster_id = %s WHERE id = %s", (ids[story.cluster], ids[story.key])
                )
        first = next(s for s in STORIES if s.key == "pasokan")
        conn.execute(
            INSERT_VERSION,
            (ids["pasokan"], OLD_VERSION["title"], OLD_VERSION["body"], "old", first.published_at,
             datetime(2025, 2, 1, 2, 40, tzinfo=WIB)),
        )  # fmt: skip
        for site, status in (("okezone", "finished"), ("detik", "failed"), ("kompas", "finished")):
            start = datetime(2025, 2, 2, 6, 0, tzinfo=WIB)
            conn.execute(
                INSERT_RUN, (site, start, start + timedelta(minutes=4), status, json.dumps({"stored": 3}))
            )
    return ids


@pytest.fixture(scope="module")
def archive(db: Database) -> dict[str, int]:
    """The seeded archive: story ids by seed key."""
    with db.connection() as conn:
        return seed_archive(conn)
