"""Fixtures of the CLI tests: `pantau` in-process on the seeded archive; the backfill world."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from pantau.cli.main import cli


@pytest.fixture
def pantau(database_url, tmp_path, archive):
    """Run `pantau ARGS...` in-process against the seeded archive; returns click's Result."""

    def run(*args: str, timezone: str = "Asia/Jakarta") -> Result:
        env = {
            "PANTAU_DATABASE_URL": database_url,
            "PANTAU_DATA_DIR": str(tmp_path / "data"),
            "PANTAU_TIMEZONE": timezone,
            "COLUMNS": "200",
        }
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return run


@pytest.fixture
def search_ids(pantau, archive):
    """Run `pantau search ... --format json` and return the seed keys of the hits, in order."""
    by_id = {value: key for key, value in archive.items()}

    def run(*args: str, timezone: str = "Asia/Jakarta") -> list[str]:
        limit = () if "--limit" in args else ("--limit", "100")
        result = pantau("search", *args, "--format", "json", *limit, timezone=timezone)
        assert result.exit_code == 0, result.output
        return [by_id[hit["id"]] for hit in json.loads(result.stdout)]

    return run
