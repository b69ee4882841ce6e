"""How the archive commands print: terminal tables, JSON, JSON Lines, CSV; dates in the user's zone."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from pantau.base.snippets import from_marked, story_lead
from pantau.present.records import HIT_FIELDS, hit_record, local_short
from pantau.storage.search import Hit

if TYPE_CHECKING:
    from pantau.storage.story import Stats, Story


def print_hits(hits: list[Hit], fmt: str, zone: ZoneInfo, *, clusters: bool) -> None:
    """Print a page of search hits in the chosen format; an empty page says so on stderr."""
    records = [hit_record(hit, zone) for hit in hits]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
    elif fmt == "csv":
        write_csv(records, [*HIT_FIELDS, "snippet_html"], sys.stdout)
    elif hits:
        _hits_table(hits, zone, clusters=clusters)
    if not hits:
        click.echo("no stories match", err=True)


def _hits_table(hits: list[Hit], zone: ZoneInfo, *, clusters: bool) -> None:
    """Each hit as a block readable at 80 columns: title, then id/site/time, snippet and canonical URL."""
    from rich.console import Console
    from rich.padding import Padding

    console = Console(highlight=False)
    with console.capture() as captured:
        for index, hit in enumerate(hits):
            if index:
                console.print()
            meta = [f"#{hit.id}", hit.site, local_short(hit.published_at, zone)]
            if hit.other_copies:
                label = "also in" if clusters else f"{hit.other_copies} other {_copies(hit.other_copies)}:"
                meta.append(f"{label} {', '.join(hit.other_sites)}")
            console.print(f"[bold]{_escape(hit.title)}[/bold]")
            lines = f"{_escape(' · '.join(meta))}\n{from_marked(hit.snippet).markup()}"
            console.print(Padding(lines, (0, 0, 0, 2)))
            # The link on a line of its own, never folded, so that it can be copied whole.
            console.print(f"  {_escape(hit.canonical_url)}", no_wrap=True, crop=False, soft_wrap=True)
    # Padding fills each line to the console's width; readers and pipes want no trailing blanks.
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _copies(count: int) -> str:
    return "copy" if count == 1 else "copies"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _cell(value: Any) -> Any:
    """One CSV cell: lists joined by '; ', mappings as JSON, times as ISO 8601."""
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_csv(rows: Iterable[dict[str, Any]], fields: Iterable[str], out: IO[str]) -> int:
    """Write rows as CSV with a header as they come; return how many."""
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
        count += 1
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write rows as JSON Lines as they come; return how many."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def print_story(story: Story, zone: ZoneInfo) -> None:
    """The story as text: metadata, where its date came from, topics, copies, versions, full text."""
    f = story.fields
    date_line = f"{local_short(f['published_at'], zone)} (from {f['date_source'] or 'unknown source'})"
    lines = [
        f["title"],
        "=" * min(len(f["title"]), 100),
        f"id:         {f['id']} ({f['site']} {f['site_article_id']}, version {f['version']})",
        f"url:        {f['canonical_url']}",
        f"fetched:    {f['url']}",
        f"published:  {date_line}",
        f"first seen: {local_short(f['first_seen_at'], zone)}" + (" (backfill)" if f["backfilled"] else ""),
        f"language:   {f['language'] or 'undetermined'}",
        f"authors:    {', '.join(f['authors']) or '-'}",
        f"section:    {f['section'] or '-'}; tags: {', '.join(f['tags']) or '-'}",
        "",
        "topics:",
    ]
    for topic in story.topics:
        mark = "on topic" if topic["on_topic"] else "off topic"
        terms = ", ".join(str(term) for term in topic["matched_terms"]) or "-"
        lines.append(f"  {topic['topic']}: {topic['score']:.2f} ({mark}); matched: {terms}")
    lines.append(f"other copies of this story: {len(story.copies)}")
    for copy in story.copies:
        when = local_short(copy["published_at"], zone)
        lines.append(f"  #{copy['id']} {copy['site']} {when} {copy['canonical_url']}")
    lines.append(f"earlier versions: {len(story.versions)}")
    for version in story.versions:
        replaced = local_short(version["replaced_at"], zone)
        lines.append(f"  v{version['version']} (replaced {replaced}): {version['title']}")
    if f["site_summary"]:
        lines += ["", f"the site's own summary ({f['site']}, not the journalist's text):"]
        lines += [f"  - {point}" for point in f["site_summary"]]
    lead = story_lead(f["lead"], f["body"])  # the lead only where it is not the body's own opening
    lines += ["", *([lead, ""] if lead else []), f["body"]]
    click.echo("\n".join(lines))


def print_stats(stats: Stats, zone: ZoneInfo) -> None:
    """The archive's counts as terminal tables."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    sites = Table("site", "stories", "first seen in 24 h", "newest story", title="stories per site")
    for row in stats.sites:
        sites.add_row(
            row["site"], str(row["stories"]), str(row["last_24h"]), local_short(row["newest"], zone)
        )
    days = Table("day", "stories", title=f"stories per day ({zone.key})")
    for row in stats.days:
        days.add_row(row["day"].isoformat(), str(row["stories"]))
    topics = Table("topic", "on topic", "stories (clusters)", "scored", title="stories per topic")
    for row in stats.topics:
        topics.add_row(row["topic"], str(row["on_topic"]), str(row["stories"]), str(row["scored"]))
    crawls = Table("site", "kind", "started", "finished", "status", "stored", title="last crawl per site")
    for row in stats.crawls:
        status = row["status"] + (f" ({row['reason']})" if row["reason"] else "")
        started, finished = local_short(row["started_at"], zone), local_short(row["finished_at"], zone)
        stored = str(row["counts"].get("stored", "-"))
        crawls.add_row(row["site"], row["kind"], started, finished, _escape(status), stored)
    for table in (sites, days, topics, crawls):
        console.print(table)
