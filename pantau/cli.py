"""The `pantau` command: one entry point, a subcommand per job."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from pantau import __version__
from pantau.config import Settings, load_settings, masked
from pantau.errors import PantauError
from pantau.logs import setup_logging

F = TypeVar("F", bound=Callable[..., Any])


class App:
    """What every subcommand gets: the validated settings, and the archive on request."""

    def __init__(self, config_path: Path | None, log_level: str | None) -> None:
        overrides = {"log_level": log_level} if log_level else {}
        self.settings: Settings = load_settings(config_path, **overrides)
        setup_logging(self.settings.log_level)

    @contextmanager
    def database(self, role: str = "cli", *, migrate: bool = True) -> Iterator[Any]:
        """The opened archive (migrated first, unless asked not to), closed afterwards."""
        from storage.db import open_database
        from storage.migrate import migrate as run_migrations

        db = open_database(self.settings, app_name=f"pantau-{role}")
        try:
            if migrate:
                run_migrations(db)
            yield db
        finally:
            db.close()


pass_app = click.make_pass_decorator(App)


class PantauGroup(click.Group):
    """Reports PantauError as one line on stderr with exit code 2, never a traceback."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Click cuts each line to fit 80 columns with "..."; every subcommand's whole first
        # sentence is worth reading, so wrap it instead.
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=400)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PantauError as exc:
            click.echo(f"pantau: error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=PantauGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="TOML config file (default: $PANTAU_CONFIG, ./pantau.toml, ~/.config/pantau/pantau.toml).",
)
@click.option(
    "--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), help="Override log_level."
)
@click.version_option(__version__, prog_name="pantau")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, log_level: str | None) -> None:
    """pantau: monitor Okezone, detik, Bisnis and Kompas for a story, archive it, email digests."""
    ctx.obj = App(config_path, log_level)


@cli.group()
def config() -> None:
    """Inspect the effective configuration."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML-like text.")
@pass_app
def config_show(app: App, as_json: bool) -> None:
    """Print the effective configuration, secrets masked."""
    data = masked(app.settings)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key, value in data.items():
        click.echo(f"{key} = {json.dumps(value, ensure_ascii=False)}")


@cli.group()
def db() -> None:
    """Manage the archive's schema."""


@db.command("migrate")
@pass_app
def db_migrate(app: App) -> None:
    """Apply pending schema migrations."""
    from storage.migrate import migrate

    with app.database("migrate", migrate=False) as database:
        done = migrate(database)
    click.echo(f"applied {len(done)} migration(s)" if done else "schema is up to date")


@db.command("status")
@pass_app
def db_status(app: App) -> None:
    """Show the server, and each migration with when it was applied."""
    from storage.db import describe_server
    from storage.migrate import status

    with app.database("status", migrate=False) as database:
        states = status(database)
        where = "embedded, in " + str(app.settings.data_dir / "pgdata") if database.embedded else ""
        click.echo(f"database: {where or describe_server(database.url)}")
    for state in states:
        when = state.applied_at.isoformat(timespec="seconds") if state.applied_at else "pending"
        click.echo(f"{state.version:04d}_{state.name}: {when}")


def _register_commands() -> None:
    """Subcommands that live beside the code they drive (one module each; heavy imports inside)."""
    # One block per area (pantau/commands/<area>.py); keep each block to its own lines.
    # crawl:
    from pantau.commands.crawl import crawl

    cli.add_command(crawl)
    # pipelines:
    from pantau.commands.extract import extract

    cli.add_command(extract)
    from pantau.commands.topic import topic

    cli.add_command(topic)
    # daemon:
    from pantau.commands import daemon

    for command in (daemon.run, daemon.status, daemon.digest):
        cli.add_command(command)
    # archive:
    from pantau.commands import archive

    archive.register(cli)
    # backfill:
    from pantau.commands.backfill import backfill

    cli.add_command(backfill)


_register_commands()


def main() -> None:
    """Console entry point."""
    cli(prog_name="pantau")
