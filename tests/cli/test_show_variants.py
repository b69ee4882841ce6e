"""`pantau show URL` finds a story from any variant of its URL: AMP and mobile hosts, utm, paging.

The stories are stored as the crawler stores them (canonical URL, and the single-page view it
fetched); the variants are the forms the sites themselves link (docs/sites.md).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest

from tests.support.archive import INSERT_ARTICLE, WIB

OKEZONE = "https://news.okezone.com/read/2023/09/15/18/2883469/kemesraan-vladimir-putin-dan-kim-jong-un"
KOMPAS = "https://www.kompas.com/global/read/2023/09/13/062311370/kim-jong-un-tiba-di-rusia"
DETIK = "https://news.detik.com/internasional/d-6942037/mesranya-putin-sambut-kim-jong-un-di-rusia"
BISNIS = "https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia-bakal-menang"
# site, canonical URL, site id, the URL the crawler fetched
STORED = [
    ("okezone", OKEZONE, "2883469", OKEZONE + "?page=all"),
    ("kompas", KOMPAS, "20230913-062311370", KOMPAS + "?page=all"),
    ("detik", DETIK, "6942037", DETIK + "?single=1"),
    ("bisnis", BISNIS, "1694663", BISNIS),
]
VARIANTS = [
    ("okezone", OKEZONE.replace("/read/", "/amp/")),  # AMP path
    ("okezone", OKEZONE + "?page=2"),
    ("okezone", OKEZONE + "?page=1&utm_source=twitter&utm_medium=social&utm_campaign=share"),
    ("kompas", KOMPAS.replace("www.kompas.com", "amp.kompas.com")),  # AMP host
    ("kompas", KOMPAS + "?page=2"),
    ("kompas", KOMPAS.replace("/read/", "/copy/") + "?source=widget&jxrecoid=8a7c"),
    ("kompas", KOMPAS.replace("https://", "http://") + "?utm_source=whatsapp#comments"),
    ("detik", DETIK.replace("news.detik.com/", "m.detik.com/news/")),  # mobile host
    ("detik", DETIK + "?tag_from=wp_cb_mostPopular_list&_ga=2.1"),
    ("bisnis", BISNIS + "/2"),  # page 2 by path
    ("bisnis", BISNIS.replace("kabar24.bisnis.com/", "m.bisnis.com/kabar24/") + "#goog_rewarded"),
]


@pytest.fixture(scope="module")
def stored(db, archive) -> dict[str, int]:
    """The four stories, added to the seeded archive; ids by site."""
    ids = {}
    with db.connection() as conn, conn.transaction():
        for number, (site, canonical, sid, url) in enumerate(STORED):
            row = conn.execute(
                INSERT_ARTICLE,
                {
                    "site": site,
                    "sid": sid,
                    "canonical": canonical,
                    "url": url,
                    "title": f"Kim Jong Un dan Putin ({site})",
                    "lead": None,
                    "body": f"Korea Utara dan Rusia membahas kerja sama militer. ({site})",
                    "authors": [],
                    "published_at": datetime(2023, 9, 13, 6, 23, tzinfo=WIB),
                    "date_source": "jsonld",
                    "language": "id",
                    "hash": hashlib.sha256(canonical.encode()).hexdigest(),
                    "simhash": 7000 + number,
                    "version": 1,
                    "first_seen": datetime(2023, 9, 13, 6, 30, tzinfo=WIB),
                    "updated_at": None,
                },
            ).fetchone()
            ids[site] = row[0]
    return ids


@pytest.mark.parametrize(("site", "url"), VARIANTS)
def test_show_finds_the_story_from_a_variant_of_its_url(pantau, stored, site, url):
    result = pantau("show", url, "--format", "json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert (record["id"], record["site"]) == (stored[site], site)


@pytest.mark.parametrize(
    ("site", "url"), [(s, c) for s, c, _, _ in STORED] + [(s, u) for s, _, _, u in STORED]
)
def test_show_finds_the_story_by_its_canonical_and_fetched_urls(pantau, stored, site, url):
    result = pantau("show", url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == stored[site]


def test_a_variant_of_another_story_is_not_found(pantau, stored):
    other = OKEZONE.replace("2883469", "2883470")
    result = pantau("show", other)
    assert result.exit_code == 2
    assert "no stored story has id or URL" in result.stderr
