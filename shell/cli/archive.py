"""The archive commands: search, show, export, stats, serve."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pantau.cli.app import App, pass_app
from pantau.present.filters import ArchiveInputError, make_filters

if TYPE_CHECKING:
    from pantau.storage.search import Filters

F = TypeVar("F", bound=Callable[..., Any])


class OneLineCommand(click.Command):
    """Reports a bad option as one line (through PantauError), like every other pantau error."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            excluding = not (exc.option_name or "").startswith("--")
            hint = (
                "; to exclude a word, put the query after --: pantau search -- '-word'" if excluding else ""
            )
            raise ArchiveInputError(f"{self.name}: {exc.format_message()}{hint}") from None
        except click.UsageError as exc:
            raise ArchiveInputError(
                f"{self.name}: {exc.format_message()} (see pantau {self.name} --help)"
            ) from None


def build_filters(app: App, query: str | None, options: dict[str, Any]) -> Filters:
    """Validated search filters from the command's options."""
    return make_filters(
        app.settings,
        query,
        sites=options["site"],
        since=options["since"],
        until=options["until"],
        languages=options["lang"],
        topic=options["topic"],
        min_score=options["min_score"],
    )


def filter_options(command: F) -> F:
    """The filters shared by search and export."""
    options = [
        click.option("--site", multiple=True, help="Only this site (repeatable)."),
        click.option("--since", help="From this day on (YYYY-MM-DD or YYYY-MM), in your time zone."),
        click.option(
            "--until", help="Up to and including this day (YYYY-MM-DD or YYYY-MM), in your time zone."
        ),
        click.option("--lang", multiple=True, help="Only this language, ISO 639-1 (repeatable)."),
        click.option("--topic", help="Only stories marked on topic for this topic."),
        click.option("--min-score", type=float, help="Minimum topic score (of --topic, or of any topic)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command(cls=OneLineCommand)
@click.argument("query")
@filter_options
@click.option("--clusters", is_flag=True, help="One row per story: its best match, with the other outlets.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table")
@pass_app
def search(
    app: App, /, query: str, clusters: bool, limit: int, offset: int, fmt: str, **options: Any
) -> None:
    """Search the archive: words, "phrases", OR, -exclusions; Indonesian stemming."""
    from pantau.cli.output import print_hits
    from pantau.storage import search as archive_search

    filters = build_filters(app, query, options)
    if filters.query is None:
        raise ArchiveInputError('search query is empty; give words, "a phrase", word OR word, or -word')
    with app.database("search") as db, db.connection() as conn:
        hits = archive_search.search(conn, filters, limit=limit, offset=offset, clusters=clusters)
    print_hits(hits, fmt, app.settings.zone, clusters=clusters)


@click.command(cls=OneLineCommand)
@click.argument("story")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_app
def show(app: App, story: str, fmt: str) -> None:
    """Show a story (by id or URL): full text, metadata, topics, other copies, earlier versions."""
    from pantau.cli.output import print_story
    from pantau.present.records import story_record
    from pantau.storage.story import find_story

    with app.database("show") as db, db.connection() as conn:
        found = find_story(conn, story.strip())
    if fmt == "json":
        click.echo(json.dumps(story_record(found, app.settings.zone), ensure_ascii=False, indent=2))
    else:
        print_story(found, app.settings.zone)


@click.command(cls=OneLineCommand)
@click.argument("query", required=False)
@filter_options
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@pass_app
def export(app: App, /, query: str | None, fmt: str, output: Path | None, **options: Any) -> None:
    """Export matching stories with every stored field (no raw HTML) as JSON Lines or CSV."""
    from pantau.cli.output import write_csv, write_jsonl
    from pantau.present.records import EXPORT_FIELDS, export_records
    from pantau.storage.search import check_filters, export_rows

    filters = build_filters(app, query, options)
    with app.database("export") as db, db.connection() as conn:
        check_filters(conn, filters)  # before the first byte is written
        out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            records = export_records(export_rows(conn, filters), app.settings.zone)
            count = write_csv(records, EXPORT_FIELDS, out) if fmt == "csv" else write_jsonl(records, out)
        finally:
            if output:
                out.close()
    click.echo(f"exported {count} stories" if count else "no stories match", err=True)


@click.command(cls=OneLineCommand)
@click.option(
    "--days", type=click.IntRange(1, 366), default=14, show_default=True, help="Days back, today included."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def stats(app: App, days: int, fmt: str) -> None:
    """Stories per site, per day and per topic, and each site's last crawl."""
    from dataclasses import asdict
    from datetime import UTC, datetime

    from pantau.cli.output import print_stats
    from pantau.storage.story import archive_stats

    with app.database("stats") as db, db.connection() as conn:
        now = datetime.now(UTC)
        numbers = archive_stats(conn, zone=app.settings.zone, days=days, now=now)
    if fmt == "json":
        click.echo(json.dumps(asdict(numbers), ensure_ascii=False, indent=2, default=str))
    else:
        print_stats(numbers, app.settings.zone)


@click.command(cls=OneLineCommand)
@click.option("--host", help="Address to listen on (default: web.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: web.port, 8080).")
@pass_app
def serve(app: App, host: str | None, port: int | None) -> None:
    """Serve the read-only web view (search, stories, Atom feeds, JSON API)."""
    import uvicorn

    from pantau.web.app import create_app

    host, port = host or app.settings.web.host, port or app.settings.web.port
    with app.database("web") as db:
        click.echo(f"serving the archive on http://{host}:{port}/ (Ctrl-C stops)", err=True)
        uvicorn.run(create_app(db, app.settings), host=host, port=port, log_level="warning")


def register(group: click.Group) -> None:
    """Add the archive commands to the `pantau` group."""
    for command in (search, show, export, stats, serve):
        group.add_command(command)
