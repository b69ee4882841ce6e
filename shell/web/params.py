"""Query parameters of the web view, checked before they reach the archive: a bad value is a 400.

The shared filter parser (pantau.present.filters) turns words into filters; this module refuses what
a browser can send but no archive query can hold: control characters (PostgreSQL refuses a NUL in
text), days whose next midnight does not exist (`9999-12-31`), and page numbers past any archive.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pantau.base.errors import PantauError
from pantau.present.filters import make_filters, parse_day

if TYPE_CHECKING:
    from starlette.datastructures import QueryParams

    from pantau.base.settings import Settings
    from pantau.storage.search import Filters

PAGE_SIZE = 20
MAX_PAGE = 500  # 10,000 hits deep: past that a narrower search says more
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadParameter(PantauError):
    """A query parameter the web view cannot use: names it and what to give instead (a 400)."""


@dataclass(frozen=True)
class SearchRequest:
    """A search as the page asked for it: the filters, which page, one row per story or not."""

    filters: Filters
    page: int
    clusters: bool

    @property
    def offset(self) -> int:
        """How many hits come before this page."""
        return (self.page - 1) * PAGE_SIZE


def check_text(params: QueryParams) -> None:
    """BadParameter if any value holds a control character (a NUL, an escape)."""
    for key, value in params.multi_items():
        if _CONTROL.search(key) or _CONTROL.search(value):
            raise BadParameter(f"parameter {key[:40]!r} holds a control character; remove it")


def _day(params: QueryParams, name: str) -> str | None:
    """The day parameter as given, once it parses and lies within FIRST_DAY..LAST_DAY."""
    value = params.get(name) or None
    day = parse_day(value, name, last=name == "until")
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise BadParameter(f"{name} {value!r} is out of range; give a day from {FIRST_DAY} to {LAST_DAY}")
    return value


def page_number(value: str | None) -> int:
    """The 1-based page number; BadParameter unless it is a whole number from 1 to MAX_PAGE."""
    if not value:
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", value) or not 1 <= int(value) <= MAX_PAGE:
        raise BadParameter(f"page {value[:30]!r} is not a page number; give 1 to {MAX_PAGE}")
    return int(value)


def _min_score(value: str | None) -> float | None:
    if not value:
        return None
    try:
        score = float(value)
    except ValueError:
        score = math.nan
    if not math.isfinite(score):
        raise BadParameter(f"min_score {value[:30]!r} is not a number; give e.g. 2.5")
    return score


def search_request(params: QueryParams, settings: Settings) -> SearchRequest:
    """The validated search of these parameters; BadParameter (or ArchiveInputError) otherwise."""
    check_text(params)
    filters = make_filters(
        settings,
        params.get("q"),
        sites=[site for site in params.getlist("site") if site],
        since=_day(params, "since"),
        until=_day(params, "until"),
        languages=[lang for lang in params.getlist("lang") if lang],
        topic=params.get("topic") or None,
        min_score=_min_score(params.get("min_score")),
    )
    return SearchRequest(filters, page_number(params.get("page")), params.get("clusters") in ("1", "on"))
