"""`pantau extract`: run the extraction and language pipelines on one saved page, nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pantau.base.errors import PantauError


@click.command("extract")
@click.argument("html_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from (tells the site).")
@click.option(
    "--page",
    "extra_pages",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A further page of the story (Bisnis /2, /3), in order; repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the text and metadata as one JSON object.")
def extract(html_file: Path, url: str, extra_pages: tuple[Path, ...], as_json: bool) -> None:
    """Extract the story text and metadata from a saved article page."""
    from pantau.base.sites import ADDING_A_SITE, display_name, load_site_data, site_for_url, site_names
    from pantau.pipelines.extract import ExtractionError, extract_article
    from pantau.pipelines.language import detect_language, html_lang
    from pantau.pipelines.rules import ExtractionRules

    site = site_for_url(url)
    if site is None:
        known = ", ".join(display_name(name) for name in site_names())
        raise PantauError(f"unknown site for URL {url!r}: pantau reads pages of {known}; {ADDING_A_SITE}")
    rules = ExtractionRules.from_mapping(load_site_data(site))
    html = _read(html_file)
    try:
        found = extract_article(html, url, rules, [_read(p) for p in extra_pages])
    except ExtractionError as exc:
        raise PantauError(f"no story in {html_file}: {exc.reason}") from exc
    language, probability = detect_language(found.text, html_lang(html))
    if not as_json:
        click.echo(found.text)
        return
    record: dict[str, Any] = {
        "site": site,
        "url": url,
        "title": found.title,
        "lead": found.lead,
        "authors": found.authors,
        "section": found.section,
        "tags": found.tags,
        "published_at": found.published_at.isoformat() if found.published_at else None,
        "date_source": found.date_source,
        "language": language,
        "language_prob": probability,
        "text": found.text,
    }
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


def _read(path: Path) -> str:
    """A saved page as text; undecodable bytes become U+FFFD rather than an error."""
    return path.read_bytes().decode("utf-8", errors="replace")
