"""The `pantau` command: one entry point, a subcommand per job."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pantau import __version__
from pantau.base.settings import masked
from pantau.cli import archive, backfill, crawl, daemon, extract, reprocess, topic
from pantau.cli.app import App, PantauGroup, pass_app


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
    """Manage the archive's database: its schema, and the embedded server."""


@db.command("migrate")
@pass_app
def db_migrate(app: App) -> None:
    """Apply pending schema migrations."""
    from pantau.storage.migrate import migrate

    with app.database("migrate", migrate=False) as database:
        done = migrate(database)
    click.echo(f"applied {len(done)} migration(s)" if done else "schema is up to date")


@db.command("status")
@pass_app
def db_status(app: App) -> None:
    """Show the server, and each migration with when it was applied."""
    from pantau.storage.db import describe_server
    from pantau.storage.migrate import status

    with app.database("status", migrate=False) as database:
        states = status(database)
        where = "embedded, in " + str(app.settings.data_dir / "pgdata") if database.embedded else ""
        click.echo(f"database: {where or describe_server(database.url)}")
    for state in states:
        when = state.applied_at.isoformat(timespec="seconds") if state.applied_at else "pending"
        click.echo(f"{state.version:04d}_{state.name}: {when}")


@db.command("stop")
@pass_app
def db_stop(app: App) -> None:
    """Stop the embedded PostgreSQL (refused while a pantau process uses it), e.g. before a backup."""
    from pantau.base.errors import PantauError
    from pantau.storage.embedded import stop_server

    if app.settings.database_url is not None:
        raise PantauError("PANTAU_DATABASE_URL is set: pantau stops only its embedded PostgreSQL, not yours")
    click.echo(stop_server(app.settings.data_dir / "pgdata"))


# Subcommands live beside the code they drive, one module per area (heavy imports inside each).
cli.add_command(crawl.crawl)
cli.add_command(extract.extract)
cli.add_command(topic.topic)
for command in (daemon.run, daemon.status, daemon.digest):
    cli.add_command(command)
archive.register(cli)
cli.add_command(backfill.backfill)
cli.add_command(reprocess.rescore)
cli.add_command(reprocess.reextract)


def main() -> None:
    """Console entry point."""
    cli(prog_name="pantau")
