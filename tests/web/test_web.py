"""The read-only web view: pages, JSON API, Atom feed (validated against RFC 4287's schema), safety."""

from __future__ import annotations

import html
import re
import subprocess
from datetime import datetime

import httpx
import pytest
from lxml import etree

from pantau.base.errors import ConfigError
from pantau.base.settings import load_settings
from pantau.web.app import create_app
from tests.support.archive import TOPIC
from tests.support.helpers import FILES, free_port, start_pantau, wait_for
from tests.support.web import serve_web

ATOM = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_search_page_form_and_results(client, archive):
    first = client.get("/search")
    assert first.status_code == 200
    assert '<form id="search"' in first.text
    assert 'class="hit"' not in first.text  # the first visit: just the form
    page = client.get("/", params={"q": "kharkiv"})
    assert page.status_code == 200
    assert "Rudal KN-23 Korea Utara Dipakai Rusia untuk Serang Kharkiv" in page.text
    assert f'href="/articles/{archive["kn23"]}"' in page.text
    assert "<mark>Kharkiv</mark>" in page.text
    assert "2025-01-10 14:00 +07:00" in page.text


def test_search_page_filters_and_clusters(client, archive):
    page = client.get("/", params={"q": "amunisi", "site": "detik"})
    assert f'/articles/{archive["pasokan-detik"]}"' in page.text
    assert f'/articles/{archive["pasokan"]}"' not in page.text
    clustered = client.get("/", params={"q": "amunisi", "clusters": "1"})
    assert clustered.text.count('class="hit"') == 1
    assert "also in" in clustered.text
    assert re.search(r"\d+ stories match \(1 when a story in several outlets counts once\)", clustered.text)
    empty = client.get("/", params={"q": "zeppelin"})
    assert "No stories match." in empty.text


def test_bad_search_is_a_400_with_the_message(client):
    page = client.get("/", params={"q": "-rusia"})
    assert page.status_code == 400
    assert "only excludes words" in page.text
    assert client.get("/", params={"q": "rusia", "since": "kemarin"}).status_code == 400


def test_hostile_story_is_escaped_and_its_link_dropped(client, archive):
    page = client.get("/", params={"q": "rahasia"})
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "javascript:" not in page.text
    story = client.get(f"/articles/{archive['hostile']}")
    assert story.status_code == 200
    assert "<script>" not in story.text
    assert "&lt;script&gt;" in story.text
    assert 'href="javascript:' not in story.text


def test_story_page(client, archive):
    page = client.get(f"/articles/{archive['pasokan']}")
    assert page.status_code == 200
    assert "Korea Utara Kirim Persenjataan ke Rusia Lewat Pelabuhan Rajin" in page.text
    assert "Other copies (2)" in page.text
    assert "Earlier versions (1)" in page.text
    assert "JSON-LD datePublished) (jsonld)" in html.unescape(page.text)
    assert client.get("/articles/999999").status_code == 404


def test_api_search_and_article(client, archive):
    response = client.get("/api/search", params={"q": "amunisi", "site": "kompas"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [archive["pasokan-kompas"]]
    assert results[0]["published_at"] == "2025-02-01T10:15:00+07:00"
    assert client.get("/api/search", params={"q": "!!!"}).status_code == 400
    article = client.get(f"/api/articles/{archive['pasokan']}").json()
    assert article["topics"][TOPIC]["matched_terms"][0] == "Korea Utara"
    assert len(article["versions"]) == 1
    assert client.get("/api/articles/999999").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search",
        f"/topics/{TOPIC}",
        f"/topics/{TOPIC}.csv",
        "/api/search",
        "/api/articles/1",
        f"/feeds/{TOPIC}.atom",
        "/static/style.css",
    ],
)
def test_only_get_and_head(client, path):
    assert client.post(path, data={"q": "x"}).status_code == 405
    assert client.delete(path).status_code == 405
    assert client.head(path).status_code in (200, 404)


def test_static_css(client):
    assert "mark" in client.get("/static/style.css").text


def _check_atom_rules(feed) -> None:
    """The two Schematron rules of RFC 4287's schema, and RFC 3339 dates."""
    entries = feed.findall("a:entry", ATOM)
    if feed.find("a:author", ATOM) is None:
        assert all(e.find("a:author", ATOM) is not None for e in entries)
    for entry in entries:
        links = entry.findall("a:link", ATOM)
        assert (
            any(link.get("rel", "alternate") == "alternate" for link in links)
            or entry.find("a:content", ATOM) is not None
        )
    for element in feed.iter(
        "{http://www.w3.org/2005/Atom}updated", "{http://www.w3.org/2005/Atom}published"
    ):
        assert RFC3339.match(element.text), element.text
        datetime.fromisoformat(element.text)


def test_atom_feed_validates_and_has_one_entry_per_story(client, archive):
    response = client.get(f"/feeds/{TOPIC}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    schema = etree.RelaxNG(etree.parse(str(FILES / "atom.rng")))
    feed = etree.fromstring(response.content)
    assert schema.validate(feed), schema.error_log
    _check_atom_rules(feed)
    entries = feed.findall("a:entry", ATOM)
    ids = [e.findtext("a:id", namespaces=ATOM) for e in entries]
    assert len(ids) == len(set(ids))
    # The three copies of the supply story are one entry; off-topic stories are not in the feed.
    supply = [e for e in entries if "/pasokan" in e.find("a:link[@rel='alternate']", ATOM).get("href")]
    assert len(supply) == 1
    summary = supply[0].findtext("a:summary", namespaces=ATOM)
    assert "(also reported by detik, 1 Feb 08:00; Kompas, 1 Feb 10:15)" in summary
    titles = [e.findtext("a:title", namespaces=ATOM) for e in entries]
    assert not any("Emas" in t or "Wisata" in t for t in titles)
    assert len(entries) == 6  # 8 on-topic rows, 3 of them one story
    kn23 = next(e for e in entries if "KN-23" in e.findtext("a:title", namespaces=ATOM))
    assert kn23.find("a:link[@rel='alternate']", ATOM).get("href").startswith("https://www.kompas.com/")
    assert kn23.findtext("a:published", namespaces=ATOM) == "2025-01-10T14:00:00+07:00"
    assert kn23.findtext("a:author/a:name", namespaces=ATOM) == "Kompas Cyber Media"
    hostile = next(e for e in entries if "Rahasia" in e.findtext("a:title", namespaces=ATOM))
    assert "javascript" not in hostile.find("a:link[@rel='alternate']", ATOM).get("href")


def test_unknown_feed_is_404(client):
    assert client.get("/feeds/cuaca.atom").status_code == 404


@pytest.mark.slow
def test_pantau_serve_command_serves_the_archive(database_url, archive, tmp_path):
    port = free_port()
    server = start_pantau(
        "serve",
        "--port",
        str(port),
        database_url=database_url,
        data_dir=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def answer() -> list[httpx.Response]:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            return [httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "kharkiv"}, timeout=2)]
        except httpx.TransportError:
            return []

    try:
        [response] = wait_for(answer, 30, "pantau serve to answer", interval=0.1)
        assert [hit["id"] for hit in response.json()["results"]] == [archive["kn23"]]
    finally:
        server.terminate()
        server.wait(timeout=30)
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "\x00"}, "control character"),
        ({"q": "rudal", "until": "9999-12-31"}, "until '9999-12-31' is out of range"),
        ({"q": "rudal", "since": "0001-01-01"}, "since '0001-01-01' is out of range"),
        ({"q": "rudal", "page": "99999999999999999999"}, "page '99999999999999999999'"),
        ({"q": "rudal", "page": "0"}, "page '0'"),
        ({"q": "rudal", "min_score": "nan"}, "min_score 'nan'"),
        ({"q": "rudal", "site": "x\x1b[31m"}, "control character"),
    ],
)
def test_hostile_values_are_a_400_with_one_line(client, params, named):
    for path in ("/", "/api/search"):
        response = client.get(path, params=params)
        assert response.status_code == 400, (path, response.text[:200])
        assert named in html.unescape(response.text)
        assert "Traceback" not in response.text


def test_feed_links_ignore_a_forged_host_header(client, web_url):
    feed = etree.fromstring(client.get(f"/feeds/{TOPIC}.atom", headers={"Host": "evil.example"}).content)
    hrefs = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert not any("evil.example" in href for href in hrefs)
    assert feed.find("a:link[@rel='self']", ATOM).get("href") == f"{web_url}/feeds/{TOPIC}.atom"
    related = [h for h in hrefs if "/articles/" in h]
    assert related
    assert all(h.startswith(f"{web_url}/articles/") for h in related)


def test_feed_links_start_with_web_base_url_behind_a_proxy(db, archive, tmp_path):
    with serve_web(db, tmp_path, web={"base_url": "https://news.example.org/pantau/"}) as url:
        feed = etree.fromstring(httpx.get(f"{url}/feeds/{TOPIC}.atom", timeout=10).content)
    hrefs = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert feed.find("a:link[@rel='self']", ATOM).get("href") == (
        f"https://news.example.org/pantau/feeds/{TOPIC}.atom"
    )
    assert any(h.startswith("https://news.example.org/pantau/articles/") for h in hrefs)


def test_a_base_url_that_is_no_http_url_is_refused_by_name(db, tmp_path):
    settings = load_settings(None, data_dir=tmp_path, web={"base_url": "javascript:alert(1)"})
    with pytest.raises(ConfigError, match=r"web.base_url 'javascript:alert\(1\)' is not an http\(s\) URL"):
        create_app(db, settings)
