"""Session-wide test harness: a real PostgreSQL (embedded, in a temporary folder) and isolation.

Every test module gets a fresh, migrated database of its own (`database_url`). No test touches the
user's data or config directories: XDG_* point into the session's temporary folder.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pantau.base.settings import Settings, load_settings
from pantau.storage.db import Database
from pantau.storage.migrate import migrate

_counter = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point XDG data/config dirs into a temp folder and clear PANTAU_* variables for the session."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith("PANTAU_"):
            del os.environ[key]
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(home / "run"))
    (home / "run").mkdir(mode=0o700)
    yield home
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory, isolated_home: Path) -> Iterator[str]:
    """A PostgreSQL server for the whole session, started here (not by pantau)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    # A short path: the server's Unix socket lives in the data dir and socket paths max out at 107 bytes.
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    # A throwaway server: nothing needs to survive a power cut, so nothing waits for the disk (every
    # module creates a database; the shutdown checkpoint took ~40 s of a loaded suite run).
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(name)))
        conn.execute("SELECT pg_reload_conf()")
    yield server.get_uri()
    server.cleanup()


def create_database(admin_url: str, name: str) -> str:
    """Create an empty database on the session server and return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url.replace("/postgres?", f"/{name}?")


@pytest.fixture(scope="module")
def database_url(pg_admin_url: str, request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database for this test module."""
    stem = Path(str(request.node.path)).stem.replace("-", "_")[:40]
    url = create_database(pg_admin_url, f"t_{stem}_{next(_counter)}")
    with Database(url, app_name="pantau-test") as database:
        migrate(database)
    return url


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    """The module's database, opened as pantau opens it."""
    with Database(database_url, app_name="pantau-test") as database:
        yield database


@pytest.fixture
def make_settings(tmp_path: Path, database_url: str) -> Any:
    """Build Settings for a test: the module's database, a temp data dir, plus overrides."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "database_url": database_url}
        values.update(overrides)
        return load_settings(None, **values)

    return build
