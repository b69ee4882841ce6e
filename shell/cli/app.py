"""What every subcommand shares: the `App` (settings, the archive on request) and the group class."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pantau.base.errors import PantauError
from pantau.base.logs import setup_logging
from pantau.base.settings import Settings, load_settings
from pantau.base.sites import unknown_site, unknown_sites


class App:
    """What every subcommand gets: the validated settings, and the archive on request."""

    def __init__(self, config_path: Path | None, log_level: str | None) -> None:
        overrides = {"log_level": log_level} if log_level else {}
        self.settings: Settings = load_settings(config_path, **overrides)
        setup_logging(self.settings.log_level, self.settings.zone)

    def chosen_sites(self, sites: Sequence[str]) -> list[str]:
        """The sites a command was given (default: crawl.sites), each known; PantauError names one not."""
        for name in unknown_sites(sites):  # sites_dir is a setting: checked here, not by click
            raise PantauError(f"site {unknown_site(name)}")
        return list(dict.fromkeys(sites)) or list(self.settings.crawl.sites)

    @contextmanager
    def database(self, role: str = "cli", *, migrate: bool = True) -> Iterator[Any]:
        """The opened archive (migrated first, unless asked not to), closed afterwards."""
        from pantau.storage.db import open_database
        from pantau.storage.migrate import migrate as run_migrations

        db = open_database(self.settings, app_name=f"pantau-{role}", announce=role == "daemon")
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
