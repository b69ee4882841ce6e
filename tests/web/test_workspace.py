"""The workspace pages over the seeded archive: home (the topic now), topic over time, facets, story."""

from __future__ import annotations

import csv
import html
import io
import re

from pantau.web.diffs import word_diff
from tests.support.archive import TOPIC


def test_home_shows_the_topic_now_each_story_once(client, archive):
    page = client.get("/")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f'<option value="{TOPIC}" selected>' in text
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="pantau: {TOPIC}" '
        f'href="/feeds/{TOPIC}.atom">' in text
    )
    assert text.count('class="day"') == 30  # one link per day of the chart
    assert "<svg" in text
    # The supply story is one entry: its best-scoring copy (Okezone), the others as "also reported by".
    assert text.count(f'href="/articles/{archive["pasokan"]}"') == 1
    assert f'href="/articles/{archive["pasokan-kompas"]}">Kompas</a>' in text
    assert f'href="/articles/{archive["pasokan-detik"]}">detik</a>' in text
    assert "Intelijen: Pyongyang Pasok" not in text
    assert "Emas" not in text  # off topic
    assert "<mark>amunisi</mark>" in text
    assert 'class="term">KN-23</span>' in text
    assert "detik</strong>" in text
    assert "failed" in text  # detik's last crawl failed, in the site strip


def test_home_days_and_topics_are_checked(client):
    assert client.get("/", params={"days": "365"}).text.count('class="day"') == 365
    assert client.get("/", params={"days": "7"}).text.count('class="day"') == 30  # not offered: 30
    bad = client.get("/", params={"topic": "cuaca"})
    assert bad.status_code == 400
    assert "unknown topic 'cuaca'" in html.unescape(bad.text)


def test_nothing_loads_from_another_host(client, archive):
    for path in ("/", f"/topics/{TOPIC}", "/?q=senjata", f"/articles/{archive['pasokan']}"):
        text = client.get(path).text
        assert "<script" not in text
        assert not re.search(r'(src|href)="(https?:)?//[^"]*"[^>]*rel="stylesheet"', text)
        assert not re.search(r'\bsrc="(https?:)?//', text)
        assert '<link rel="stylesheet" href="/static/style.css">' in text


def test_search_counts_and_facets_narrow(client, archive):
    page = html.unescape(client.get("/", params={"q": "senjata"}).text)
    total = int(re.search(r"(\d+) stories match", page).group(1))
    assert total >= 3
    assert 'class="badge"' in page
    facet = re.search(
        r'<li><a href="(/search\?[^"]*site=okezone[^"]*)">Okezone</a> <span class="count">(\d+)</span>', page
    )
    assert facet, "no Okezone facet"
    narrowed = html.unescape(client.get(facet.group(1)).text)
    count = int(facet.group(2))
    assert (f"{count} stories match" if count > 1 else "1 story matches") in narrowed
    assert count < total
    assert 'class="chosen"' in narrowed
    hits = re.findall(r'<div class="meta">(\w+) ·', narrowed)
    assert hits
    assert set(hits) == {"Okezone"}


def test_search_paging_and_month_facet(client):
    page = html.unescape(client.get("/search", params={"q": "rusia"}).text)
    month = re.search(r'<a href="(/search\?[^"]*since=2025-01-01&until=2025-01-31[^"]*)">2025-01</a>', page)
    assert month
    narrowed = html.unescape(client.get(month.group(1)).text)
    assert all(d.startswith("2025-01") for d in re.findall(r"· (\d{4}-\d{2}-\d{2}) \d{2}:\d{2}", narrowed))


def test_topic_page_and_its_data(client, db):
    params = {"since": "2024-06-01", "until": "2025-02-28", "bucket": "month"}
    page = client.get(f"/topics/{TOPIC}", params=params)
    assert page.status_code == 200
    assert page.text.count('class="day"') == 9  # June 2024 .. February 2025
    assert "KN-23" in page.text
    with db.connection() as conn:
        expected = conn.execute(
            """SELECT count(*) FROM article_topics t JOIN articles a ON a.id = t.article_id
               WHERE t.topic = %s AND t.on_topic AND a.published_at >= '2024-06-01 00:00+07'
               AND a.published_at < '2025-03-01 00:00+07'""",
            (TOPIC,),
        ).fetchone()[0]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/topics/{TOPIC}.csv", params=params).text)))
    assert sum(int(r["stories"]) for r in rows) == expected
    assert {r["bucket"] for r in rows} <= {f"2024-{m:02d}-01" for m in range(6, 13)} | {
        "2025-01-01",
        "2025-02-01",
    }
    data = client.get(f"/topics/{TOPIC}.json", params=params).json()
    assert sum(c["stories"] for c in data["coverage"]) == expected
    assert data["buckets"][0] == "2024-06-01"
    assert len(data["terms"][0]["series"]) == 9
    assert client.get(f"/topics/{TOPIC}.xml").status_code == 404
    assert client.get(f"/topics/{TOPIC}", params={"bucket": "year"}).status_code == 400
    assert (
        client.get(f"/topics/{TOPIC}", params={"since": "2025-02-01", "until": "2025-01-01"}).status_code
        == 400
    )


def test_story_page_shows_copies_diff_and_date_source(client, archive):
    page = html.unescape(client.get(f"/articles/{archive['pasokan']}").text)
    assert "<td>detik</td>" in page
    assert "<td>Kompas</td>" in page
    assert "<del>Korea Utara Diduga Kirim Senjata ke Rusia</del>" in page
    assert "<ins>" in page
    assert "JSON-LD" in page


def test_word_diff_reads_as_words():
    pieces = word_diff("Korea Utara diduga mengirim senjata.", "Korea Utara disebut mengirim senjata.")
    assert pieces == [
        ("same", "Korea Utara"),
        ("del", "diduga"),
        ("ins", "disebut"),
        ("same", "mengirim senjata."),
    ]


def test_too_many_matches_to_count_give_an_estimate(client, monkeypatch):
    monkeypatch.setattr("pantau.storage.facets.COUNT_AT_MOST", 0)
    page = html.unescape(client.get("/", params={"q": "rusia"}).text)
    assert re.search(r"About [\d,]+ stories match: too many to count", page)
    assert 'class="hit"' in page  # the hits themselves still come
