"""Scenarios 1-9, 11-13, 16 and 22: one real Okezone crawl through a world of faulty pages, then a second.

The first crawl meets every HTTP fault and bad page at once (each at its own story) with pantau's
pipelines and a real archive; the second runs after the faults are gone and must store everything the
first could not (I1). Assertions read the archive, the crawl's stats and log, and the server's log.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from typing import Any

import pytest

from pantau.storage.db import Database
from tests.faults.conftest import discovered, fault_story, key, rows, stored_urls
from tests.support.fault_server import MIB, Fault, FaultServer, Sentinel, sentinel, serve_faults
from tests.support.replay import CrawlResult, Story, add_faults, default_world, run_crawl
from tests.support.replay.render import render_article

pytestmark = pytest.mark.slow  # two subprocess crawls of the fault world

TIMEOUT = 1.0  # DOWNLOAD_TIMEOUT of these crawls, seconds
MAX_MB = 10  # crawl.max_response_mb (the default): DOWNLOAD_MAXSIZE of these crawls
DELAY = 0.01  # crawl.download_delay: Scrapy applies a host pause only with a delay configured
SETTINGS = {"DOWNLOAD_TIMEOUT": str(TIMEOUT), "LOG_LEVEL": "INFO"}
COOKIE_WALL = (
    b"<html><head><title>Persetujuan cookie</title></head><body><div class='consent'>"
    b"Kami menggunakan cookie. <button>Setuju</button></div></body></html>"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Crawled:
    """Both crawls of the module's world and everything the tests read."""

    world: Any
    stories: dict[str, Story]
    faults: dict[str, Fault]
    first: CrawlResult
    second: CrawlResult
    server: FaultServer
    sentinel: Sentinel
    log_first: list[Any]
    refused_url: str


def _html(charset: str | None = "utf-8") -> dict[str, str]:
    return {"Content-Type": "text/html" + (f"; charset={charset}" if charset else "")}


def _bad_pages(world: Any, stories: dict[str, Story]) -> dict[str, Fault]:
    """Pages that arrive whole but are no story, or in a surprising encoding."""
    wrong = stories["wrong_header"] = fault_story(world, 20, "offtopic_banjir_jakarta")
    wrong.paragraphs[1] = "Kafe “Kopi Senja” menyajikan Crème Brûlée. " + wrong.paragraphs[1]
    legacy = stories["no_charset_1252"] = fault_story(
        world, 21, "offtopic_pameran_wisata", encoding="windows-1252"
    )
    legacy.paragraphs[1] = "Pameran “Café” menyajikan Crème Brûlée. " + legacy.paragraphs[1]
    invalid = stories["invalid_utf8"] = fault_story(world, 22, "offtopic_sepak_bola")
    legacy_body = render_article(legacy, None).body.replace(b'<meta charset="windows-1252">', b"")
    invalid_body = render_article(invalid, None).body.replace(b"Laporan nomor", b"Laporan \xff\xfe nomor")
    deep = b"<html><body><h1>Dalam</h1>" + b"<div>" * (MIB) + b"</body></html>"  # 5 MiB
    return {
        "pdf": Fault(
            "body",
            body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
            headers={"Content-Type": "application/pdf"},
        ),
        "image": Fault("body", body=b"\x89PNG\r\n\x1a\n" + bytes(64), headers={"Content-Type": "image/png"}),
        "empty": Fault("body", body=b"", headers=_html()),
        "cookie_wall": Fault("body", body=COOKIE_WALL, headers=_html()),
        "deep_dom": Fault("body", body=deep, headers=_html()),
        "deep_nesting": Fault(
            "body", body=b"<html><body>" + b"<div>" * 100_000 + b"isi" + b"</div>" * 100_000, headers=_html()
        ),
        "wrong_header": Fault("body", body=render_article(wrong, None).body, headers=_html("ISO-8859-1")),
        "no_charset_1252": Fault("body", body=legacy_body, headers=_html(None)),
        "invalid_utf8": Fault("body", body=invalid_body, headers=_html()),
    }


def _http_faults(canary: str) -> dict[str, Fault]:
    return {
        "flaky": Fault("flaky", status=503, times=2),
        "dead": Fault("status", status=503),
        "retry_after": Fault("retry_after", times=1, seconds=2),
        "drop": Fault("drop"),
        "partial": Fault("partial"),
        "hang_headers": Fault("delay", seconds=30),
        "hang_body": Fault("stall", seconds=30),
        "payload": Fault("payload", size=50 * MIB),
        "gzip_bomb": Fault("gzip_bomb", size=1024 * MIB),
        "offsite": Fault("redirect", status=302, location="https://evil.example.net/phish"),
        "private_ip": Fault("redirect", status=302, location=canary + "/ssrf"),
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, database_url: str, db: Database) -> Any:
    world = default_world()
    fine = list(world.of("okezone"))
    stories = {"malformed": add_faults(world)["okezone_malformed"]}
    with sentinel() as canary, serve_faults(world) as server:
        faults = _http_faults(canary.url)
        faults.update(_bad_pages(world, stories))
        for n, name in enumerate(faults):
            story = stories.get(name) or fault_story(world, n)
            stories[name] = story
            server.faults[key(story)] = faults[name]
        loop_a, loop_b = fault_story(world, 40), fault_story(world, 41)  # A -> B -> A
        stories.update(loop_a=loop_a, loop_b=loop_b)
        server.faults[key(loop_a)] = Fault("redirect", status=301, location=loop_b.url)
        server.faults[key(loop_b)] = Fault("redirect", status=301, location=loop_a.url)
        # A syndicated copy: another id and title, the seed story's text.
        seed = fine[0]
        stories["copy"] = fault_story(world, 50)
        stories["copy"].paragraphs = list(seed.paragraphs)
        stories["seed"] = seed
        # The listing also shows: a tracking-parameter variant, links of other schemes, a private IP,
        # and a story on a host whose port is closed (connection refused).
        refused_url = "https://celebrity.okezone.com/read/2026/01/02/18/3238599/tidak-tersambung"
        links = [
            seed.url + "?utm_source=twitter&utm_medium=social",
            "file:///etc/passwd",
            "data:text/html,<p>x</p>",
            "ftp://news.okezone.com/read/2026/01/02/18/3238598/lewat-ftp",
            "javascript:alert(1)",
            canary.url + "/read/2026/01/02/18/3238597/ip-pribadi",
            "http://169.254.169.254/latest/meta-data",
            refused_url,
        ]
        anchors = "".join(f'<a href="{link}">Berita lain</a>' for link in links).encode()
        server.faults["news.okezone.com/indeks"] = Fault("inject", body=anchors)
        # A start URL that redirects off-site: the tag endpoint.
        server.faults["www.okezone.com/tag/korea-utara"] = Fault(
            "redirect", status=302, location="https://evil.example.net/tag"
        )
        server.closed_hosts["celebrity.okezone.com"] = _closed_port()
        work = tmp_path_factory.mktemp("faults")
        first = run_crawl(
            "okezone",
            server,
            work,
            database_url=database_url,
            pipelines=True,
            settings=SETTINGS,
            max_response_mb=MAX_MB,
            timeout=240,
            download_delay=DELAY,
        )
        log_first = server.requests("okezone")
        # The second run: every fault gone; the dead story is no longer listed (only a retry finds it).
        dead = stories["dead"]
        world.remove("okezone", dead.article_id)
        server.faults.clear()
        server.faults[key(dead)] = Fault("body", body=render_article(dead, None).body, headers=_html())
        with db.connection() as conn:  # the back-off has passed
            conn.execute("UPDATE discovered_urls SET next_attempt_at = now() WHERE status = 'failed'")
        second = run_crawl(
            "okezone",
            server,
            work,
            database_url=database_url,
            pipelines=True,
            settings=SETTINGS,
            max_response_mb=MAX_MB,
            timeout=240,
        )
        world.add(dead)
        yield Crawled(world, stories, faults, first, second, server, canary, log_first, refused_url)


def _hits(crawled: Crawled, story: Story) -> list[Any]:
    return [r for r in crawled.log_first if r.host == story.host and r.path == story.path]


def test_s00_both_runs_end_with_a_terminal_status_and_every_good_story_is_stored(crawled, db):
    assert crawled.first.returncode == 0, crawled.first.log[-3000:]
    assert crawled.second.returncode == 0, crawled.second.log[-3000:]
    statuses = rows(db, "SELECT status FROM crawl_runs WHERE site = 'okezone' ORDER BY id")
    assert statuses == [("finished",), ("finished",)]
    urls = stored_urls(db)
    assert len(urls) == len(set(urls))  # one row per canonical URL
    # I1: after the second run every story of the world is stored (the faults were all transient).
    assert set(urls) == {s.url for s in crawled.world.of("okezone")}


def test_s01_transient_503_is_retried_and_stored_once(crawled, db):
    story = crawled.stories["flaky"]
    assert [r.status for r in _hits(crawled, story)] == [503, 503, 200]
    assert crawled.faults["flaky"].served == 3
    assert stored_urls(db).count(story.url) == 1
    assert crawled.first.stat("retry/count") >= 2
    assert discovered(db, story.url)[0] == "stored"  # type: ignore[index]


def test_s02_persistent_503_and_refused_connection_are_failures_retried_next_run(crawled, db):
    dead = crawled.stories["dead"]
    assert [r.status for r in _hits(crawled, dead)] == [503] * 4  # RETRY_TIMES = 3, then given up
    gave_up = r"Gave up retrying <GET https://news\.okezone\.com" + re.escape(dead.path)
    assert len(re.findall(gave_up, crawled.first.log)) == 1
    # The closed port: its robots.txt is unreachable (retried, given up), so the host is disallowed
    # (RFC 9309) and its article recorded as failed; the rest of the site is crawled all the same.
    assert re.search(r"Gave up retrying <GET https://celebrity\.okezone\.com/robots\.txt", crawled.first.log)
    assert crawled.first.stat("pantau/robots_unreachable_hosts") == 1
    status, _reason, counts, errors = _first_run(db)
    failures = {e["url"]: e["error"] for e in errors}
    assert failures[dead.url] == "HTTP 503"
    assert "Forbidden by robots.txt" in failures[crawled.refused_url]
    assert status == "finished"
    assert counts["retries_exhausted"] >= 2
    # Not in articles after run 1; the next run fetched it from the retry queue alone (it is no
    # longer listed) and stored it.
    assert crawled.second.stat("pantau/retried") >= 1
    assert discovered(db, dead.url)[:2] == ("stored", 1)  # type: ignore[index]
    assert stored_urls(db).count(dead.url) == 1
    assert discovered(db, crawled.refused_url)[0] == "failed"  # type: ignore[index]  # still queued


def _first_run(db: Database) -> tuple[str, str | None, dict[str, int], list[dict[str, str]]]:
    status, reason, counts, errors = rows(
        db, "SELECT status, reason, counts, errors FROM crawl_runs WHERE site = 'okezone' ORDER BY id LIMIT 1"
    )[0]
    return status, reason, counts, errors


def test_s03_429_waits_for_retry_after_before_the_next_request_to_the_host(crawled, db):
    story = crawled.stories["retry_after"]
    [refused, *_] = _hits(crawled, story)
    assert refused.status == 429
    later = [r for r in crawled.log_first if r.host == story.host and r.at > refused.at]
    assert later, "nothing was requested after the 429"
    assert later[0].at - refused.at >= 2.0 - 0.05  # Retry-After: 2 (the log's clock is monotonic)
    assert [r.status for r in _hits(crawled, story)] == [429, 200]  # bounded: one retry, then stored
    assert stored_urls(db).count(story.url) == 1
    assert crawled.first.stat("pantau/retry_after") == 1


@pytest.mark.parametrize("name", ["drop", "partial"])
def test_s04_a_cut_or_truncated_body_is_retried_and_nothing_partial_is_stored(crawled, db, name):
    story = crawled.stories[name]
    assert len(_hits(crawled, story)) == 4  # retried (ResponseDataLoss / connection lost), given up
    assert re.search(
        r"Gave up retrying <GET https://news\.okezone\.com" + re.escape(story.path), crawled.first.log
    )
    assert discovered(db, story.url)[0] == "stored"  # type: ignore[index]  # by the second run, whole
    [body] = rows(db, "SELECT body FROM articles WHERE canonical_url = %s", story.url)[0]
    assert story.paragraphs[-1][:60] in body  # the end of the story: not a truncated copy


@pytest.mark.parametrize("name", ["hang_headers", "hang_body"])
def test_s05_a_hanging_server_costs_one_timeout_per_attempt_and_the_crawl_goes_on(crawled, db, name):
    story = crawled.stories[name]
    assert crawled.faults[name].served == 4  # the first try and three retries, each cut at the timeout
    gave_up = rf"Gave up retrying <GET \S+{re.escape(story.path)}.*took longer than {TIMEOUT} seconds"
    assert re.search(gave_up, crawled.first.log)
    assert "DownloadTimeoutError" in {e["url"]: e["error"] for e in _first_run(db)[3]}[story.url]
    # Eight timeouts of 1 s (two hanging pages, four attempts each) cost seconds, not the 30 s hangs.
    assert float(crawled.first.stats["elapsed_time_seconds"]) < 30


def test_s06_huge_bodies_and_gzip_bombs_are_aborted_at_download_maxsize(crawled, db):
    log = crawled.first.log
    payload, bomb = crawled.stories["payload"], crawled.stories["gzip_bomb"]
    limit = MAX_MB * MIB
    streamed = rf"larger than download max size \({limit}\) in request <GET \S+{re.escape(payload.path)}"
    assert re.search(streamed, log)  # the 50 MiB body, cut once 10 MiB had arrived
    bombed = rf"<200 \S+{re.escape(bomb.path)}.*exceeded DOWNLOAD_MAXSIZE \({limit} B\) during decompression"
    assert re.search(bombed, log)  # ~1 MiB of gzip, stopped at 10 MiB of the 1 GiB it expands to
    assert crawled.faults["payload"].served == 1  # a size limit is no transient fault: not retried
    assert int(crawled.first.stats["memusage/max"]) < 1024 * MIB  # crawl.memory_limit_mb = 1024
    assert crawled.first.finish_reason == "finished"  # not memusage_exceeded
    assert stored_urls(db).count(payload.url) == 1  # the second run stored the real page


def test_s07_redirect_loops_end_without_a_hang(crawled, db):
    a, b = crawled.stories["loop_a"], crawled.stories["loop_b"]
    hits = _hits(crawled, a) + _hits(crawled, b)
    assert 2 <= len(hits) <= 6  # A -> B -> A is cut by the duplicate filter (or REDIRECT_MAX_TIMES)
    assert crawled.first.finish_reason == "finished"
    for story in (a, b):  # accounted for: stored by the second run, never lost
        assert discovered(db, story.url)[0] == "stored"  # type: ignore[index]


def test_s08_off_site_redirects_from_an_article_and_a_start_url_are_refused(crawled, db):
    log = crawled.first.log
    assert "redirect to https://evil.example.net/phish leaves the site" in log
    assert "redirect to https://evil.example.net/tag leaves the site" in log  # the tag start URL
    assert crawled.first.stat("pantau/refused_offsite") >= 2
    assert "evil.example.net" not in {r.host for r in crawled.server.requests()}
    failure = {e["url"]: e["error"] for e in _first_run(db)[3]}
    assert "leaves the site" in failure[crawled.stories["offsite"].url]


def test_s09_private_addresses_and_other_schemes_are_never_requested(crawled):
    assert crawled.sentinel.hits == []  # neither the redirect nor the listed link reached 127.0.0.2
    log = crawled.first.log
    assert re.search(r"redirect to http://127\.0\.0\.2:\d+/ssrf leaves the site", log)
    hosts = {r.host for r in crawled.server.requests()}
    assert hosts <= {h for h in hosts if h.endswith("okezone.com")}
    assert not [r for r in crawled.server.requests() if "lewat-ftp" in r.path or "meta-data" in r.path]


@pytest.mark.parametrize("name", ["pdf", "image"])
def test_s11_non_html_is_skipped_with_a_reason_and_no_callback_error(crawled, db, name):
    story = crawled.stories[name]
    failure = {e["url"]: e["error"] for e in _first_run(db)[3]}
    assert failure[story.url].startswith("not HTML")
    assert "Spider error processing" not in crawled.first.log
    assert crawled.first.stat("spider_exceptions/count") == 0


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty", "not parseable as HTML: Document is empty"),
        ("cookie_wall", "body too short"),
        ("malformed", None),  # repaired by lxml: stored, or dropped with a reason, never a crash
    ],
)
def test_s12_malformed_empty_and_boilerplate_only_pages_never_store_empty_fields(crawled, db, name, reason):
    story = crawled.stories[name]
    if reason is not None:
        assert re.search(rf"extraction failed for {re.escape(story.url)}.*{reason}", crawled.first.log)
    assert crawled.first.stat("pantau/extraction_failed") >= 2
    empty = rows(db, "SELECT count(*) FROM articles WHERE title = '' OR body = ''")[0][0]
    assert empty == 0


def test_s13_charsets_are_decoded_as_a_browser_would_and_replacements_counted(crawled, db):
    def body(name: str) -> str:
        return str(
            rows(
                db,
                "SELECT title || ' ' || body FROM articles WHERE canonical_url = %s",
                crawled.stories[name].url,
            )[0][0]
        )

    # Header-less windows-1252 with no <meta>: decoded as windows-1252 (Scrapy's inference).
    assert "Pameran “Café” menyajikan Crème Brûlée" in body("no_charset_1252")
    # The header (ISO-8859-1, i.e. windows-1252) beats the <meta charset="utf-8">, as in browsers.
    expected = "Kafe “Kopi Senja” menyajikan Crème Brûlée".encode().decode("cp1252", errors="replace")
    assert expected in body("wrong_header")
    # Invalid UTF-8 bytes become U+FFFD; their count is a recorded quality signal.
    assert "\ufffd" in body("invalid_utf8")
    assert _first_run(db)[2]["replacement_chars"] >= 2


def test_s16_duplicates_one_row_per_story_and_syndicated_copies_cluster(crawled, db):
    seed, copy = crawled.stories["seed"], crawled.stories["copy"]
    article_hits = [r for r in crawled.log_first if r.path == seed.path]
    assert len(article_hits) == 1  # listed in the sitemap, the index, AMP and ?utm_: fetched once
    assert stored_urls(db).count(seed.url) == 1
    clusters = dict(
        rows(
            db,
            "SELECT canonical_url, cluster_id FROM articles WHERE canonical_url IN (%s, %s)",
            seed.url,
            copy.url,
        )
    )
    assert clusters[seed.url] == clusters[copy.url]  # one story for the digest (one row per cluster)
    assert _first_run(db)[2]["duplicates"] >= 1


def test_s22_pathological_doms_fail_extraction_with_a_reason_and_others_are_unaffected(crawled, db):
    log = crawled.first.log
    deep, nested = crawled.stories["deep_dom"], crawled.stories["deep_nesting"]
    assert re.search(rf"extraction failed for {re.escape(deep.url)}.*page too large", log)
    assert re.search(rf"extraction failed for {re.escape(nested.url)}", log)
    assert crawled.first.stat("pantau/stored") >= len(crawled.world.of("okezone")) - 25
    status, reason, *_ = _first_run(db)
    assert (status, reason) == ("finished", None)


def test_the_fault_routes_all_fired(crawled):
    idle = [name for name, fault in crawled.faults.items() if fault.served == 0]
    assert idle == []


def test_a_crawl_of_the_fault_world_stays_within_its_bound(crawled):
    started = min(r.at for r in crawled.log_first)
    ended = max(r.at for r in crawled.log_first)
    assert ended - started < 90  # every fault bounded; no hang carried the crawl
