"""What the replay server answers for (host, path, query): the four sites' URL layout, from a World.

Pages follow docs/sites.md: robots.txt per host, sitemap indexes naming news-sitemap children, news
sitemaps (namespaced, CDATA), feeds, daily index and tag pages, article pages in the sites' current
templates (single-page views, pagers, AMP and mobile variants), block pages, malformed and
windows-1252 pages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tests.support.replay.world import Story, World

ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["j2", "html"])
)
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jum'at", "Sabtu", "Minggu"]
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
ROBOTS = {
    "okezone": ["Disallow: /okezoneid", "Disallow: /php/", "Disallow: /set-cookie*"],
    "detik": ["Allow: /"],
    "bisnis": [
        "Disallow: /wp-admin/",
        "Disallow: /rss/",
        "Disallow: /rss",
        "Disallow: /feed/",
        "Disallow: /cdn-cgi/",
    ],
    "kompas": [
        "Disallow: /search/?q=",
        "Disallow: /copy/*",
        "Disallow: *?jxrecoid=*",
        "Disallow: *?utm_source=*",
        "Disallow: *?source=*",
    ],
}
CLOUDFLARE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b'<div id="cf-chl-widget">Checking your browser</div>'
    b'<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>'
)
AWS_WAF = (
    b"<!DOCTYPE html><html><head><script>window.awsWafCookieDomainList = ['kompas.com'];"
    b'window.gokuProps = {};</script></head><body><div id="challenge-container"></div></body></html>'
)


@dataclass
class Reply:
    """An HTTP answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def site_of(host: str) -> str | None:
    for site in ("okezone", "detik", "bisnis", "kompas"):
        if host == f"{site}.com" or host.endswith(f".{site}.com"):
            return site
    return None


def respond(world: World, host: str, path: str, query: str, headers: dict[str, str]) -> Reply:
    """The answer to GET https://<host><path>?<query>."""
    site = site_of(host)
    key = f"{host}{path}" + (f"?{query}" if query else "")
    if site is None:
        return Reply(404, b"unknown host")
    if path == "/robots.txt":
        return _robots(world, site, host)
    if key in world.redirects:
        return Reply(301, b"", {"Location": world.redirects[key]})
    if f"{host}{path}" in world.too_many and world.too_many[f"{host}{path}"] > 0:
        world.too_many[f"{host}{path}"] -= 1
        return Reply(429, b"slow down", {"Retry-After": "1"})
    if host in world.blocked_hosts:
        return _block(site)
    if f"{host}{path}" in world.missing:
        return Reply(404, b"<html><body>Halaman tidak ditemukan</body></html>", _html())
    from tests.support.replay import pages

    reply = pages.route(world, site, host, path, parse_qs(query))
    if reply.status == 200 and ("xml" in reply.headers.get("Content-Type", "")):
        return _conditional(reply, headers, world)
    return reply


def _html(charset: str = "utf-8") -> dict[str, str]:
    return {"Content-Type": f"text/html; charset={charset}"}


def _robots(world: World, site: str, host: str) -> Reply:
    status = world.robots_status.get(host, 200)
    if status != 200:
        return Reply(status, b"<html><body>Service Unavailable</body></html>", _html())
    lines = [
        "User-agent: GPTBot",
        "Disallow: /",
        "",
        "User-agent: CCBot",
        "Disallow: /",
        "",
        "User-agent: *",
        *ROBOTS[site],
        *world.robots_extra.get(host, []),
    ]
    if host.startswith("www."):
        lines += ["", f"Sitemap: https://{host}/sitemap.xml"]
    return Reply(200, ("\n".join(lines) + "\n").encode(), {"Content-Type": "text/plain"})


def _block(site: str) -> Reply:
    if site == "kompas":
        return Reply(202, AWS_WAF, {**_html(), "x-amzn-waf-action": "challenge"})
    return Reply(403, CLOUDFLARE, {**_html(), "cf-mitigated": "challenge", "Server": "cloudflare"})


def block_reply(story: Story) -> Reply:
    """The defended sites' block page for one article (Kompas WAF 202, Cloudflare 403 elsewhere)."""
    return _block(story.site)


def _conditional(reply: Reply, headers: dict[str, str], world: World) -> Reply:
    etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
    modified = format_datetime(world.now.astimezone(UTC).replace(microsecond=0), usegmt=True)
    reply.headers.update({"ETag": etag, "Last-Modified": modified})
    if headers.get("if-none-match") == etag:
        return Reply(304, b"", {"ETag": etag, "Last-Modified": modified})
    return reply


def render_article(story: Story, page: int | None) -> Reply:
    """Article HTML: page N of a paged story, or the whole story when page is None."""
    whole = page is None
    paragraphs = story.paragraphs if whole else story.page_paragraphs(page or 1)
    local = story.local
    context = {
        "s": story,
        "paragraphs": paragraphs,
        "page": page or 0,
        "charset": story.encoding,
        "pager": story.pages > 1 and not whole,
        "multicard": story.template == "multicard",
        "day_name": DAYS[local.weekday()],
        "utc": UTC,
        "date_long": f"{local.day:02d} {MONTHS[local.month - 1]} {local.year}",
        "date_short": f"{local.day:02d} {MONTHS[local.month - 1][:3]} {local.year}",
    }
    html = ENV.get_template(f"{story.site}_article.html.j2").render(**context)
    if story.fault == "malformed":  # cut mid-tag, unclosed elements, a stray NUL: lxml must cope
        html = html[: len(html) * 2 // 3] + '<div class="read"><p>terpotong <b><i>\x00'
    body = html.encode(story.encoding, errors="strict")
    return Reply(200, body, _html(story.encoding))


def day_window(world: World) -> timedelta:
    """How far back the news sitemaps reach (48 hours, as Kompas and Bisnis document)."""
    return timedelta(hours=48) if world else timedelta(0)
