"""Routes of the four replayed sites: listings (sitemaps, feeds, index, tag) and article views."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from tests.support.replay.render import ENV, Reply, _html, block_reply, render_article
from tests.support.replay.world import WIB, Story, World

XML = {"Content-Type": "application/xml; charset=utf-8"}
NEWS_NS = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
)
# Links every listing of a site also shows: variants of real stories and things that are no story.
NOISE = {
    "okezone": ["https://www.okezone.com/video/2026/01/01/1/1/video", "https://www.okezone.com/tag/rusia"],
    "detik": [
        "https://20.detik.com/detikupdate/20260101-260101001/video-korut",
        "https://news.detik.com/foto-news/d-7399141/putin-kim-jong-un-sepakat/8",
        "https://www.detik.com/search/searchall?query=korea",
    ],
    "bisnis": [
        "https://video.bisnis.com/read/20260101/1/100/video",
        "https://www.bisnis.com/topic/44797/korea",
    ],
    "kompas": [
        "https://video.kompas.com/watch/1/korut",
        "https://www.kompas.tv/internasional/449994/korut",
        "https://www.kompas.id/baca/internasional/2026/01/01/korut",
    ],
}


def route(world: World, site: str, host: str, path: str, query: dict[str, list[str]]) -> Reply:
    """Dispatch one site request."""
    if world.paged:
        from tests.support.replay import dated

        paged = dated.route(world, site, host, path, query)
        if paged is not None:
            return paged
    stories = world.of(site)
    listing = _listing(world, site, host, path, query, stories)
    if listing is not None:
        return listing
    return _article(world, site, host, path, query)


def _listing(
    world: World, site: str, host: str, path: str, query: dict[str, list[str]], stories: list[Story]
) -> Reply | None:
    if site == "okezone":
        if (host, path) == ("www.okezone.com", "/sitemap.xml"):
            return _index(
                ["https://news.okezone.com/sitemap.xml", "https://celebrity.okezone.com/sitemap.xml"]
            )
        if (host, path) == ("news.okezone.com", "/sitemap.xml"):
            return _news_sitemap(stories, "Okezone", variant=lambda s: f"{s.url}?page=1", cdata=True)
        if (host, path) == ("news.okezone.com", "/indeks"):
            return _html_listing(
                site,
                stories,
                "Indeks Berita",
                [f"https://{s.host}{s.path.replace('/read/', '/amp/')}" for s in stories],
            )
        if path.startswith("/tag/"):
            tagged = [s for s in stories if path.split("/")[2] in s.tags]
            return _html_listing(
                site, tagged, "Berita Terkini dan Informasi Terbaru" if not tagged else "Tag", []
            )
        if (host, path) == ("www.okezone.com", "/rss"):
            return Reply(200, b"<html><body>Okezone</body></html>", _html())
    if site == "detik":
        if (host, path) == ("www.detik.com", "/sitemap.xml"):
            return _index(
                [
                    f"https://news.detik.com/{x}/sitemap_news.xml"
                    for x in ("internasional", "berita", "suara-pembaca")
                ]
                + [
                    "https://sport.detik.com/sitemap_news.xml",
                    "https://news.detik.com/internasional/sitemap_web.xml",
                ]
            )
        match = re.fullmatch(r"/([a-z-]+)/sitemap_news\.xml", path)
        if host == "news.detik.com" and match:
            return _news_sitemap([s for s in stories if s.section == match.group(1)], "detikcom")
        if (host, path) == ("news.detik.com", "/rss"):
            return _rss(stories, lambda s: f"{s.url}?tag_from=rss")
        if host == "www.detik.com" and path.startswith("/tag/"):
            tagged = [s for s in stories if path.split("/")[2] in s.tags]
            return _html_listing(site, tagged, "Tag", [f"https://m.detik.com/news{s.path}" for s in tagged])
        if path.endswith("/indeks"):
            return _html_listing(site, stories, "Indeks", [])
    if site == "bisnis":
        if (host, path) == ("www.bisnis.com", "/sitemap-news.xml"):
            return _news_sitemap(stories, "Bisnis.com", variant=lambda s: f"{s.url}#goog_rewarded")
        if (host, path) == ("www.bisnis.com", "/index"):
            day = query.get("date", [""])[0]
            return _html_listing(site, [s for s in stories if f"{s.local:%Y-%m-%d}" == day], "Indeks", [])
        if path.startswith(("/rss", "/feed")):
            return _rss(stories, lambda s: s.url)
    if site == "kompas":
        if (host, path) == ("www.kompas.com", "/sitemap.xml"):
            return _index(
                [
                    "https://www.kompas.com/sitemap-news-global.xml",
                    "https://news.kompas.com/sitemap-news-news.xml",
                    "https://bola.kompas.com/sitemap-news-bola.xml",
                    "https://www.kompas.com/sitemap-archive-global.xml",
                ]
            )
        if (host, path) == ("www.kompas.com", "/sitemap-news-global.xml"):
            return _news_sitemap(
                stories,
                "Kompas.com",
                variant=lambda s: f"https://amp.kompas.com{s.path}?source=sitemap",
                cdata=True,
            )
        if (host, path) == ("news.kompas.com", "/sitemap-news-news.xml"):
            return _news_sitemap([], "Kompas.com")
        if host == "indeks.kompas.com" and path == "/":
            day, page = query.get("date", [""])[0], query.get("page", ["1"])[0]
            listed = [s for s in stories if f"{s.local:%Y-%m-%d}" == day] if page == "1" else []
            return _html_listing(site, listed, "Indeks", [f"{s.url}?page=all&jxrecoid=1" for s in listed])
        if host == "www.kompas.com" and path.startswith("/tag/"):
            tagged = [s for s in stories if path.split("/")[2] in s.tags]
            return _html_listing(site, tagged, "Tag", [])
    return None


def _article(world: World, site: str, host: str, path: str, query: dict[str, list[str]]) -> Reply:
    story = _story_at(world, site, host, path)
    if story is None:
        return Reply(404, b"<html><body>Halaman tidak ditemukan</body></html>", _html())
    if story.fault == "blocked":
        return block_reply(story)
    if story.fault == "offsite_redirect":
        return Reply(302, b"", {"Location": "https://evil.example.net/phish"})
    if site == "bisnis":
        parts = path.strip("/").split("/")
        page = int(parts[5]) if len(parts) == 6 and parts[5].isdigit() else 1
        if page > story.pages:
            return Reply(404, b"<html><body>Halaman tidak ditemukan</body></html>", _html())
        return render_article(story, page) if story.pages > 1 else render_article(story, None)
    whole = query.get("page", [""])[0] == "all" or query.get("single", [""])[0] == "1"
    if story.pages == 1 or whole or story.template == "multicard":
        return render_article(story, None)
    return render_article(story, int(query.get("page", ["1"])[0]))


def _story_at(world: World, site: str, host: str, path: str) -> Story | None:
    match = re.search(ID_IN_PATH[site], path)
    if match is None or "/foto-" in path:
        return None
    story = world.find(site, match.group(1))
    if story is None:
        return None
    mobile_ok = host in ("m.detik.com", "amp.kompas.com")
    return story if host == story.host or mobile_ok else None


ID_IN_PATH = {
    "okezone": r"^/(?:read|amp)/\d{4}/\d{2}/\d{2}/18/(\d+)/",
    "detik": r"/d-(\d+)/",
    "bisnis": r"^/read/\d{8}/19/(\d+)/",
    "kompas": r"/(?:read|copy)/\d{4}/\d{2}/\d{2}/(\d+)/",
}


def _index(children: list[str]) -> Reply:
    entries = "".join(f"<sitemap><loc><![CDATA[{c}]]></loc></sitemap>" for c in children)
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    return Reply(200, body.encode(), dict(XML))


def _news_sitemap(stories: list[Story], publication: str, variant=None, cdata: bool = False) -> Reply:
    def wrap(text: str) -> str:
        return f"<![CDATA[{text}]]>" if cdata else escape(text)

    entries = []
    for s in stories:
        loc = variant(s) if variant else s.url
        entries.append(
            f"<url><loc>{wrap(loc)}</loc><news:news><news:publication><news:name>{publication}</news:name>"
            f"<news:language>id</news:language></news:publication>"
            f"<news:publication_date>{s.local.isoformat()}</news:publication_date>"
            f"<news:title>{wrap(s.title)}</news:title></news:news></url>"
        )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NEWS_NS}>{"".join(entries)}</urlset>'
    return Reply(200, body.encode(), dict(XML))


def _rss(stories: list[Story], link) -> Reply:
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{escape(link(s))}</link>"
        f"<pubDate>{format_datetime(s.published)}</pubDate></item>"
        for s in stories
    )
    channel = f"<channel><title>feed</title>{items}</channel>"
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">{channel}</rss>'
    return Reply(200, body.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})


def _html_listing(site: str, stories: list[Story], title: str, extra_links: list[str]) -> Reply:
    items = [{"href": s.url, "title": s.title, "date": f"{s.local:%d/%m/%Y, %H:%M} WIB"} for s in stories]
    html = ENV.get_template("listing.html.j2").render(
        site=site,
        items=items,
        title=title,
        home=f"https://www.{site}.com/",
        extra_links=extra_links + NOISE[site],
    )
    return Reply(200, html.encode(), _html())


def now_wib() -> datetime:
    return datetime.now(WIB)
