"""A site's extraction rules: the [extraction], [boilerplate] and [dates] tables of its site file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pantau.base.sites import load_site_data
from pantau.pipelines.boilerplate import Boilerplate


def _strings(table: Mapping[str, Any], key: str, default: Sequence[str] = ()) -> tuple[str, ...]:
    value = table.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not all(isinstance(v, str) for v in value):
        raise ValueError(f"[extraction]/[dates] key {key!r} must be a string or a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class ExtractionRules:
    """What one site's pages look like: selectors, clutter and date sources (see the site TOML)."""

    site: str = ""
    title: tuple[str, ...] = ("h1",)
    title_strip: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    author_meta: tuple[str, ...] = ("author", "content_author", "dtk:author")
    author_cut: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    section_pick: str = "first"
    tags: tuple[str, ...] = ()
    tag_meta: tuple[str, ...] = ("news_keywords", "keywords", "content_tag")
    body: tuple[str, ...] = ("article",)
    drop: tuple[str, ...] = ()
    visible_date: tuple[str, ...] = ()
    date_sources: tuple[str, ...] = ("jsonld", "meta:article:published_time", "visible", "url")
    naive_tz: str = "Asia/Jakarta"
    url_date: str | None = None
    min_body_chars: int = 200
    boilerplate: Boilerplate = field(default_factory=Boilerplate)

    @classmethod
    def from_mapping(cls, site_data: Mapping[str, Any]) -> ExtractionRules:
        """Rules from a whole parsed site TOML; reads only [extraction], [boilerplate] and [dates]."""
        ext, dts = site_data.get("extraction", {}), site_data.get("dates", {})
        default = cls()
        keys: tuple[str, ...] = ("title", "title_strip", "lead", "authors", "author_meta", "author_cut")
        keys += ("section", "tags", "tag_meta", "body", "drop", "visible_date")
        values: dict[str, Any] = {k: _strings(ext, k, getattr(default, k)) for k in keys}
        return cls(
            site=str(site_data.get("site", {}).get("name", "")),
            section_pick=str(ext.get("section_pick", default.section_pick)),
            min_body_chars=int(ext.get("min_body_chars", default.min_body_chars)),
            date_sources=_strings(dts, "sources", default.date_sources),
            naive_tz=str(dts.get("naive_tz", default.naive_tz)),
            url_date=dts.get("url_pattern"),
            boilerplate=Boilerplate.from_mapping(site_data.get("boilerplate", {})),
            **values,
        )


@cache
def rules_for_site(site: str) -> ExtractionRules:
    """The extraction rules of a known site, read once from crawler/sites/<site>.toml."""
    return ExtractionRules.from_mapping(load_site_data(site))
