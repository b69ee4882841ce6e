"""Turning user input (CLI options, web query parameters) into validated search filters."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pantau.base.errors import PantauError
from pantau.base.sites import unknown_site, unknown_sites
from pantau.storage.search import Filters

if TYPE_CHECKING:
    from pantau.base.settings import Settings


class ArchiveInputError(PantauError):
    """An option value the archive cannot use: names the option and what to give instead."""


def parse_day(value: str | None, option: str, *, last: bool) -> date | None:
    """A YYYY-MM-DD day, or YYYY-MM (its first day, or with `last` its last day); None if empty."""
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = (int(part) for part in value.split("-"))
            day = calendar.monthrange(year, month)[1] if last else 1
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ArchiveInputError(f"{option} {value!r} is not a date; give YYYY-MM-DD (or YYYY-MM for a month)")


def known_topics(topics_dir: Path) -> list[str]:
    """The topics configured in `topics_dir` (one TOML file per topic, named after it)."""
    return sorted(path.stem for path in topics_dir.glob("*.toml"))


def make_filters(
    settings: Settings,
    query: str | None,
    *,
    sites: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    languages: Sequence[str] = (),
    topic: str | None = None,
    min_score: float | None = None,
) -> Filters:
    """Validated filters; days are whole days in the user's zone (settings.timezone)."""
    for site in unknown_sites(sites):
        raise ArchiveInputError(f"--site {unknown_site(site)}")
    if topic and topic not in (names := known_topics(settings.topics_dir)):
        raise ArchiveInputError(f"unknown topic {topic!r}; known: {', '.join(names) or 'none'}")
    for lang in languages:
        if not re.fullmatch(r"[a-z]{2}", lang):
            raise ArchiveInputError(f"language {lang!r} is not a two-letter ISO 639-1 code (e.g. id, en)")
    return Filters(
        query=query.strip() if query and query.strip() else None,
        sites=tuple(sites),
        since=parse_day(since, "--since", last=False),
        until=parse_day(until, "--until", last=True),
        languages=tuple(languages),
        topic=topic or None,
        min_score=min_score,
        zone=settings.zone,
    )
