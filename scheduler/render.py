"""A digest's subject, plain-text and HTML parts, from the stories chosen for it.

Scraped text is data: it reaches only the bodies, through autoescaped Jinja2 templates, with
control characters stripped and links kept only when they are http(s). The subject is built
from our own data (counts, topic titles from our topic files, a date) and never from a title.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pantau.base import snippets
from pantau.base.sites import display_name
from pantau.base.text import clean, safe_link

_env = Environment(
    loader=PackageLoader("pantau.scheduler", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_TEXT_WIDTH = 72
_NBSP = "\u00a0"


def text_snippet(pieces: list[tuple[str, bool]]) -> str:
    """The text part's snippet: `*word*` highlights, wrapped at 72 columns and indented by three.

    A highlight of several words (`*Korea Utara*`) is never broken across lines: its spaces are
    no-break while wrapping (textwrap breaks only at ASCII whitespace) and plain again afterwards.
    """
    glued = [(text.replace(" ", _NBSP) if hit else text, hit) for text, hit in pieces]
    starred = snippets.Snippet(tuple(glued)).starred()
    lines = textwrap.wrap(starred, _TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)
    return "\n".join("   " + line.replace(_NBSP, " ") for line in lines)


_env.filters["text_snippet"] = text_snippet


@dataclass(frozen=True)
class Entry:
    """One story as the reader sees it; `snippet` is (text, highlighted) pieces, `also` 'Bisnis, 00:42'."""

    title: str
    outlet: str
    published: str
    url: str | None
    snippet: list[tuple[str, bool]]
    also: list[str] = field(default_factory=list)
    updated: bool = False
    rescored: bool = False  # put on the topic by a rescore: listed in a section of its own


@dataclass(frozen=True)
class Rendered:
    """The three parts of a digest message."""

    subject: str
    text: str
    html: str


def outlet_name(site: str) -> str:
    """How a site is named to readers: its `[site] display_name`."""
    return display_name(site)


def snippet(title: str, lead: str | None, body: str, terms: list[str]) -> list[tuple[str, bool]]:
    """The story's snippet (pantau.base.snippets) as (text, highlighted) pieces, the topic's terms marked."""
    return list(snippets.build(lead, body, snippets.term_matcher(terms), title=title).pieces)


def also_reported(copies: list[tuple[str, datetime | None]], zone: object, own: datetime | None) -> list[str]:
    """'Bisnis, 00:42' per other outlet: the time alone on the entry's own day, else with the day."""
    day = own.astimezone(zone).date() if own is not None else None  # type: ignore[arg-type]
    shown = []
    for site, moment in copies:
        if moment is None:
            shown.append(outlet_name(site))
            continue
        local = moment.astimezone(zone)  # type: ignore[arg-type]
        when = f"{local:%H:%M}" if local.date() == day else f"{local.day} {local:%b %H:%M}"
        shown.append(f"{outlet_name(site)}, {when}")
    return shown


def local_time(moment: datetime | None, zone: object) -> str:
    """A time as the subscriber reads it: '21 Nov 2024 14:05 WIB'."""
    if moment is None:
        return "date unknown"
    local = moment.astimezone(zone)  # type: ignore[arg-type]
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"


def subject(new: int, updated: int, topic_titles: list[str], day: datetime, rescored: int = 0) -> str:
    """'pantau: 5 new stories, 1 updated, Korea Utara–Rusia, 21 Nov' from counts and our titles."""
    if new == 0 and updated == 0 and rescored == 0:
        counts = "no new stories"
    else:
        counts = f"{new} new {'story' if new == 1 else 'stories'}"
        if updated:
            counts += f", {updated} updated"
        if rescored:
            counts += f", {rescored} from the archive"
    return clean(f"pantau: {counts}, {' / '.join(topic_titles)}, {day.day} {day:%b}")


def render(
    entries: list[Entry],
    *,
    topic_titles: list[str],
    period_end_local: datetime,
    period_label: str,
    health: list[str],
    unsubscribe_url: str | None,
) -> Rendered:
    """Subject, text and HTML of a digest (entries best first)."""
    updated = sum(1 for e in entries if e.updated)
    rescored = [e for e in entries if e.rescored]
    context = {
        "entries": [e for e in entries if not e.rescored],
        "rescored": rescored,
        "topics": topic_titles,
        "period": period_label,
        "health": health,
        "unsubscribe_url": safe_link(unsubscribe_url or ""),
    }
    return Rendered(
        subject=subject(
            len(entries) - updated - len(rescored), updated, topic_titles, period_end_local, len(rescored)
        ),
        text=_env.get_template("digest.txt.j2").render(context),
        html=_env.get_template("digest.html.j2").render(context),
    )
