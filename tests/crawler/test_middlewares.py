"""Unit tests of the crawler's middlewares: block pages, Retry-After, allowlist, replay host map."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from pantau.crawler.hostmap import HostMapMiddleware
from pantau.crawler.middlewares import (
    BlockedPage,
    OffsiteRedirectMiddleware,
    Refused,
    SiteAllowlistMiddleware,
)
from pantau.crawler.politeness import BlockPageMiddleware, block_reason, retry_after_seconds
from tests.support.replay.render import AWS_WAF, CLOUDFLARE

ARTICLE = (
    b"<html><head><title>Putin dan Kim</title></head><body><h1>Putin</h1><p>Isi berita.</p></body></html>"
)


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (403, {}, CLOUDFLARE, "cloudflare challenge (HTTP 403)"),
        (503, {}, CLOUDFLARE, "cloudflare challenge (HTTP 503)"),
        (200, {"cf-mitigated": "challenge"}, b"<html></html>", "cloudflare challenge (HTTP 200)"),
        (403, {}, b"<html>error code: 1020 cloudflare</html>", "cloudflare access denied (HTTP 403)"),
        (202, {}, AWS_WAF, "aws waf challenge (HTTP 202)"),
        (202, {"x-amzn-waf-action": "challenge"}, b"", "aws waf challenge (HTTP 202)"),
        (200, {}, ARTICLE, None),
        (202, {}, ARTICLE, None),  # a 202 without the WAF marker is not a challenge
        (403, {}, b"<html>Forbidden</html>", None),  # a plain 403 is an HTTP error, not a block page
        (200, {}, b"<p>Cara cf-chl bekerja</p>", None),  # the marker only counts on 403/503
    ],
)
def test_block_reason(status, headers, body, expected):
    assert block_reason(status, headers, body) == expected


NOW = datetime(2026, 10, 3, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Sat, 03 Oct 2026 12:01:30 GMT", 90.0),
        ("Sat, 03 Oct 2026 11:59:00 GMT", 0.0),  # in the past: go now
        ("soon", None),
        ("", None),
        (None, None),
        ("-3", None),
    ],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value, NOW) == expected


def _crawler(domains=("bisnis.com",), name="bisnis"):
    crawler = get_crawler()
    crawler.spider = SimpleNamespace(name=name, allowed_domains=list(domains))
    return crawler


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://kabar24.bisnis.com/read/20230913/19/1/x", True),
        ("http://www.bisnis.com/sitemap-news.xml", True),
        ("https://bisnis.com/", True),
        ("https://evil.example.net/bisnis.com", False),
        ("https://notbisnis.com/", False),
        ("https://bisnis.com.evil.net/", False),
        ("ftp://www.bisnis.com/x", False),
        ("file:///etc/passwd", False),
        ("https://169.254.169.254/latest/meta-data", False),
    ],
)
def test_allowlist_refuses_everything_outside_the_site(url, allowed):
    middleware = SiteAllowlistMiddleware(_crawler())
    if allowed:
        assert middleware.process_request(Request(url)) is None
    else:
        with pytest.raises(Refused):
            middleware.process_request(Request(url))


def test_offsite_redirects_are_refused_before_they_are_followed():
    middleware = OffsiteRedirectMiddleware(_crawler())
    request = Request("https://kabar24.bisnis.com/read/20230913/19/1/x")
    away = HtmlResponse(
        request.url, status=302, headers={"Location": "https://evil.example.net/"}, request=request
    )
    with pytest.raises(Refused, match="leaves the site"):
        middleware.process_response(request, away)
    home = HtmlResponse(
        request.url, status=301, headers={"Location": "/read/20230913/19/1/y"}, request=request
    )
    assert middleware.process_response(request, home) is home


def test_block_pages_raise_and_a_host_is_dropped_after_n_in_a_row():
    crawler = _crawler()
    crawler.stats.open_spider()
    middleware = BlockPageMiddleware(crawler)
    url = "https://kabar24.bisnis.com/read/20230913/19/{}/x"
    for n in range(3):
        request = Request(url.format(n))
        middleware.process_request(request)
        with pytest.raises(BlockedPage):
            middleware.process_response(request, HtmlResponse(request.url, status=403, body=CLOUDFLARE))
    with pytest.raises(Refused, match="backing off"):
        middleware.process_request(Request(url.format(9)))
    other = Request("https://www.bisnis.com/sitemap-news.xml")  # another host is not affected
    assert middleware.process_request(other) is None
    assert crawler.stats.get_value("pantau/blocked") == 3


def test_a_good_page_resets_the_block_count():
    middleware = BlockPageMiddleware(_crawler())
    request = Request("https://kabar24.bisnis.com/a")
    for _ in range(2):
        with pytest.raises(BlockedPage):
            middleware.process_response(request, HtmlResponse(request.url, status=403, body=CLOUDFLARE))
    ok = HtmlResponse(request.url, body=ARTICLE)
    assert middleware.process_response(request, ok) is ok
    assert middleware.in_a_row["kabar24.bisnis.com"] == 0


def test_host_map_rewrites_to_loopback_and_restores_the_real_url():
    middleware = HostMapMiddleware(_crawler(), {"kabar24.bisnis.com": "127.0.0.1:8123"})
    request = Request("https://kabar24.bisnis.com/read/x?a=1", meta={"proxy": "http://proxy.example:3128"})
    middleware.process_request(request)
    assert request.url == "http://127.0.0.1:8123/read/x?a=1"
    assert request.headers[b"Host"] == b"kabar24.bisnis.com"
    assert "proxy" not in request.meta  # never through a proxy to loopback
    response = middleware.process_response(request, HtmlResponse(request.url, body=ARTICLE))
    assert response.url == request.url == "https://kabar24.bisnis.com/read/x?a=1"


def test_host_map_refuses_unmapped_hosts_and_non_loopback_targets():
    middleware = HostMapMiddleware(_crawler(), {"kabar24.bisnis.com": "127.0.0.1:8123"})
    with pytest.raises(Refused, match=r"no crawl\.host_map entry"):
        middleware.process_request(Request("https://www.bisnis.com/sitemap-news.xml"))
    with pytest.raises(ValueError, match="not a loopback address"):
        HostMapMiddleware(_crawler(), {"www.bisnis.com": "10.0.0.1:80"})
    with pytest.raises(ValueError, match="not a loopback address"):
        HostMapMiddleware(_crawler(), {"www.bisnis.com": "bisnis.com:443"})
