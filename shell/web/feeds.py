"""Atom (RFC 4287) feeds of a topic's recent on-topic stories, one entry per story cluster."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from pantau import __version__
from pantau.base import snippets
from pantau.base.text import safe_link
from pantau.scheduler.render import also_reported, outlet_name
from pantau.storage.story import feed_rows

if TYPE_CHECKING:
    import psycopg
    from starlette.requests import Request

    from pantau.base.settings import Settings

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
# Characters XML 1.0 cannot carry at all; scraped text sometimes has them (form feeds, NULs).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _rfc3339(value: datetime, zone: Any) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds")


def _topic_title(settings: Settings, topic: str) -> str:
    try:
        with (settings.topics_dir / f"{topic}.toml").open("rb") as fh:
            return str(tomllib.load(fh).get("title") or topic)
    except (OSError, tomllib.TOMLDecodeError):
        return topic


def _summary(row: dict[str, Any], zone: Any) -> str:
    """'Okezone: <snippet> (also reported by Bisnis, 00:42)': the topic's terms' snippet, other outlets.

    Worded as the digest words it: the labels are pantau's (English), only the snippet is the site's.
    """
    matcher = snippets.term_matcher(row["terms"])
    text = snippets.build(row["lead"], row["body"], matcher, title=row["title"]).plain()
    if row["other_sites"]:
        copies = list(zip(row["other_sites"], row["other_times"], strict=True))
        text += f" (also reported by {'; '.join(also_reported(copies, zone, row['published_at']))})"
    return f"{outlet_name(row['site'])}: {text}"


def _entry(feed: Any, row: dict[str, Any], request: Request, zone: Any) -> None:
    entry = _add(feed, "entry")
    story_page = str(request.url_for("story", id=row["id"]))
    _add(entry, "id", _safe_url(row["canonical_url"]) or f"tag:pantau,2025:article:{row['id']}")
    _add(entry, "title", row["title"], type="text")
    _add(entry, "updated", _rfc3339(row["updated"], zone))
    if row["published_at"] is not None:
        _add(entry, "published", _rfc3339(row["published_at"], zone))
    _add(entry, "link", rel="alternate", type="text/html", href=_safe_url(row["canonical_url"]) or story_page)
    _add(entry, "link", rel="related", type="text/html", href=story_page)
    for name in row["authors"] or [row["site"]]:
        _add(_add(entry, "author"), "name", name)
    _add(entry, "category", term=row["site"])
    _add(entry, "summary", _summary(row, zone), type="text")


def atom_feed(conn: psycopg.Connection, request: Request, topic: str, settings: Settings) -> bytes:
    """The feed document for `topic` (a known topic), as UTF-8 XML."""
    rows = feed_rows(conn, topic, FEED_SIZE)
    zone = settings.zone
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(feed, "id", f"tag:pantau,2025:feed:{topic}")
    _add(feed, "title", f"pantau: {_topic_title(settings, topic)}", type="text")
    newest = max((row["updated"] for row in rows), default=datetime.now(UTC))
    _add(feed, "updated", _rfc3339(newest, zone))
    _add(_add(feed, "author"), "name", "pantau")
    _add(feed, "link", rel="self", type="application/atom+xml", href=str(request.url))
    search_page = str(request.url_for("search").include_query_params(topic=topic))
    _add(feed, "link", rel="alternate", type="text/html", href=search_page)
    _add(feed, "generator", "pantau", version=__version__)
    for row in rows:
        _entry(feed, row, request, zone)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True))


def _safe_url(url: str | None) -> str:
    return safe_link(url or "") or ""
