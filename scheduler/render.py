"""A digest's subject, plain-text and HTML parts, from the stories chosen for it.

Scraped text is data: it reaches only the bodies, through autoescaped Jinja2 templates, with
control characters stripped and links kept only when they are http(s). The subject is built
from our own data (counts, topic titles from our topic files, a date) and never from a title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pantau.base.sites import display_name
from pantau.base.text import clean, safe_link

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“A-Z0-9])")
SNIPPET_CHARS = 420

_env = Environment(
    loader=PackageLoader("pantau.scheduler", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Entry:
    """One story as the reader sees it; `snippet` is (text, highlighted) pieces."""

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


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    words = sorted(
        {clean(t) for t in terms if clean(t) and not t.lstrip().startswith("{")}, key=len, reverse=True
    )
    if not words:
        return None
    # Spaces and hyphens in a term match either, as the topic scorer matches them.
    alternatives = [re.sub(r"\\[ -]", r"[\\s-]?", re.escape(word)) for word in words]
    return re.compile("(" + "|".join(alternatives) + ")", re.IGNORECASE)


def snippet(lead: str | None, body: str, terms: list[str]) -> list[tuple[str, bool]]:
    """Two or three sentences around the first matched term, split into (text, highlighted) pieces."""
    sentences = [s for s in _SENTENCE_END.split(clean(f"{lead or ''} {body}")) if s]
    pattern = _term_pattern(terms)
    start = next((i for i, s in enumerate(sentences) if pattern and pattern.search(s)), 0)
    chosen: list[str] = []
    for sentence in sentences[start : start + 3]:
        if len(chosen) >= 2 and sum(map(len, chosen)) + len(sentence) > SNIPPET_CHARS:
            break
        chosen.append(sentence)
    text = " ".join(chosen)
    if len(text) > SNIPPET_CHARS * 2:
        text = text[: SNIPPET_CHARS * 2].rsplit(" ", 1)[0] + " …"
    if pattern is None:
        return [(text, False)]
    pieces = pattern.split(text)  # odd positions are the captured matches
    return [(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece]


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
