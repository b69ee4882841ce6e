"""The typed view of a site file's `[backfill]` table: listings to walk back in time, terms per topic.

Placeholders in a listing URL: `{page}`; `{date}` (daily listings, formatted by `date_format`, WIB);
`{start}`/`{end}` (window listings: one ISO week); `{term}` (a tag slug or a search query, taken from
`[backfill.topics.<topic>]`: `tags` for `terms = "tags"`, `search` for `terms = "search"`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal
from urllib.parse import quote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pantau.base.errors import describe_validation_error
from pantau.base.sites import SiteFileError, load_site_data, site_file

ListingKind = Literal["daily", "window", "stream"]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BackfillListing(_Table):
    """One listing a backfill walks page by page.

    daily: one walk per date (a daily index). window: one walk per ISO week (search with a date
    filter). stream: one newest-first walk per term (tag pages, search without a date filter),
    paused at each chunk's start and resumed by the next chunk.
    """

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: ListingKind
    url: str
    first_url: str | None = None  # page 1, when it has no page number (Okezone /tag/<slug>)
    confidence: Literal["HIGH", "MED", "LOW"]
    date_format: str = "%Y-%m-%d"
    terms: Literal["tags", "broad_tags", "search"] | None = None
    max_pages: int = Field(50, ge=1, le=1000)
    # Which listed items are fetched, by their title and slug against the topic's required groups:
    # "none" every one (tags and searches are the topic already), "any" those naming one group (daily
    # indexes list the whole desk), "all" those naming every group (broad tags such as `rusia`).
    prefilter: Literal["none", "any", "all"] = "none"
    item: str | None = None  # CSS selector of one listed item; its text gives the item's date
    unwrap: str | None = None  # query parameter holding the real target of a wrapped link
    empty_marker: str | None = None  # text of a page that means "no results"

    @model_validator(mode="after")
    def _placeholders(self) -> BackfillListing:
        needed = {"daily": ["{date}"], "window": ["{start}", "{end}"], "stream": []}[self.kind]
        needed += ["{term}"] if self.terms else []
        missing = [p for p in needed if p not in self.url]
        if missing or ("{page}" not in self.url and self.max_pages > 1):
            raise ValueError(f"listing {self.name!r}: url lacks {missing or ['{page}']}")
        return self

    def format(self, page: int, term: str | None = None, **dates: str) -> str:
        """The URL of one page of this listing."""
        template = self.first_url if page == 1 and self.first_url else self.url
        query = quote_plus(term) if term and self.terms == "search" else (term or "")
        return template.format(page=page, term=query, **dates)


class BackfillTerms(_Table):
    """A topic's tag slugs (narrow: the topic's; broad: a whole country) and search queries on a site."""

    tags: tuple[str, ...] = ()
    broad_tags: tuple[str, ...] = ()
    search: tuple[str, ...] = ()

    def of(self, kind: str | None) -> tuple[str | None, ...]:
        """The terms a listing with `terms = kind` walks (one walk per term); (None,) for no terms."""
        return (None,) if kind is None else tuple(getattr(self, kind))


class BackfillModel(_Table):
    """A site's backfill listings, newest-first order of walking, and the terms of each topic."""

    listings: tuple[BackfillListing, ...]
    topics: dict[str, BackfillTerms] = Field(default_factory=dict)

    def terms(self, topic: str) -> BackfillTerms:
        """The topic's terms on this site; KeyError naming the site file when it has none."""
        if topic not in self.topics:
            known = ", ".join(sorted(self.topics)) or "none"
            raise KeyError(f"no [backfill.topics.{topic}] table (topics with terms: {known})")
        return self.topics[topic]


@cache
def backfill_model(site: str) -> BackfillModel:
    """The validated `[backfill]` table of the site's file."""
    data: dict[str, Any] = load_site_data(site).get("backfill", {})
    try:
        return BackfillModel.model_validate(data)
    except ValidationError as exc:
        detail = describe_validation_error(exc, show_input=False)
        raise SiteFileError(f"site file {site_file(site)}: [backfill]: {detail}") from None
