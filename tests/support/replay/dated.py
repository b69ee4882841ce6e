"""Routes of a paged replay world (`World.paged`): the listings a backfill walks, as the sites serve them.

Daily indexes filter by date and paginate (`World.page_size` items a page, empty past the end);
tag pages paginate newest first, and Kompas fills every page past a tag's end with its latest
untagged stories (as the real site does from page ~154); searches match every query word in the
title or body and paginate newest first; Kompas search honours start_date/end_date, Bisnis search
wraps each result as `/link?url=<target>`.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from tests.support.replay.render import ENV, Reply, _html
from tests.support.replay.world import Story, World


def route(world: World, site: str, host: str, path: str, query: dict[str, list[str]]) -> Reply | None:
    """The paged answer to a listing request, or None for anything that is no paged listing."""
    stories = world.of(site)
    page = int(_arg(query, "page")) if _arg(query, "page").isdigit() else 1
    if site == "detik" and host == "news.detik.com" and path.endswith("/indeks") and _arg(query, "date"):
        month, day, year = (int(x) for x in _arg(query, "date").split("/"))
        section = path.strip("/").split("/")[0]
        dated = [s for s in stories if s.local.date() == date(year, month, day) and s.section == section]
        return _listing(world, site, dated, page)
    if site == "okezone" and host == "news.okezone.com" and path.startswith("/indeks/"):
        year, month, day = (int(x) for x in path.strip("/").split("/")[1:4])
        return _listing(world, site, [s for s in stories if s.local.date() == date(year, month, day)], 1)
    if (
        site in ("bisnis", "kompas")
        and host in ("www.bisnis.com", "indeks.kompas.com")
        and _arg(query, "date")
    ):
        day = date.fromisoformat(_arg(query, "date"))
        return _listing(world, site, [s for s in stories if s.local.date() == day], page)
    if path.startswith("/tag/") and host.startswith("www."):
        parts = path.strip("/").split("/")
        page = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else page
        tagged = [s for s in stories if parts[1] in s.tags]
        if site == "kompas":  # past its end, a tag page is filled up with the latest other stories
            latest = [s for s in stories if parts[1] not in s.tags][: world.page_size]
            shown = tagged[(page - 1) * world.page_size : page * world.page_size]
            return _listing(world, site, shown + latest[: world.page_size - len(shown)], 1)
        return _listing(world, site, tagged, page)
    if host in ("search.kompas.com", "search.bisnis.com"):
        found = [s for s in stories if _matches(s, _arg(query, "q"))]
        if _arg(query, "start_date"):
            start, end = (
                date.fromisoformat(_arg(query, "start_date")),
                date.fromisoformat(_arg(query, "end_date")),
            )
            found = [s for s in found if start <= s.local.date() <= end]
        wrap = host == "search.bisnis.com"
        return _listing(world, site, found, page, wrap=wrap)
    return None


def _arg(query: dict[str, list[str]], name: str) -> str:
    return query.get(name, [""])[0]


def _matches(story: Story, q: str) -> bool:
    text = " ".join([story.title, *story.paragraphs]).lower()
    return bool(q.split()) and all(word in text for word in q.lower().split())


def _listing(world: World, site: str, stories: list[Story], page: int, *, wrap: bool = False) -> Reply:
    """Page `page` of `stories` in the site's listing template (an empty page past the end)."""
    shown = stories[(page - 1) * world.page_size : page * world.page_size]
    items = [
        {
            "href": f"/link?url={quote(s.url, safe='')}" if wrap else s.url,
            "title": s.title,
            "date": f"{s.local:%d/%m/%Y, %H:%M} WIB",
        }
        for s in shown
    ]
    html = ENV.get_template("listing.html.j2").render(
        site=site, items=items, title="Indeks", home=f"https://www.{site}.com/", extra_links=[]
    )
    return Reply(200, html.encode(), _html())
