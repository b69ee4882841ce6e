"""Fixtures of the archive tests: the module's database seeded with tests/archive/seed.py, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pantau.cli.main import cli
from tests.archive.seed import seed_archive
from tests.archive.serving import serve_web

FILES = Path(__file__).parent / "files"


@pytest.fixture(scope="module")
def archive(db) -> dict[str, int]:
    """The seeded archive: story ids by seed key."""
    with db.connection() as conn:
        return seed_archive(conn)


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


@pytest.fixture(scope="module")
def web_url(db, archive, tmp_path_factory) -> Iterator[str]:
    """The web view served by uvicorn on a free loopback port, in a thread, for this module."""
    with serve_web(db, tmp_path_factory.mktemp("web")) as url:
        yield url
