"""The README's backup and restore commands (pg_dump -Fc / pg_restore), run as written there.

For the embedded database: while pantau runs, its server listens on a Unix socket in
`<data_dir>/pgdata`, user `postgres`, database `pantau`. Its client tools ship inside the pgserver
package (PostgreSQL 16); the README finds them the same way as PG_BIN below.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from pantau.storage.embedded import EmbeddedPostgres
from tests.support.database import create_database
from tests.support.deploy import clean_env, run

# The README's command for the directory of the bundled PostgreSQL tools, with the venv's python.
FIND_PG_BIN = (
    "import importlib.util, pathlib; "
    'print(pathlib.Path(importlib.util.find_spec("pgserver").origin).parent / "pginstall" / "bin")'
)
PG_BIN = Path(subprocess.check_output([sys.executable, "-c", FIND_PG_BIN], text=True).strip())
MARK = "INSERT INTO subscriptions (name, settings) VALUES (%s, '{}')"


def subscription_names(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM subscriptions ORDER BY name")]


def add_subscription(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(MARK, (name,))


def pg(tool: str, *args: str) -> None:
    result = subprocess.run([str(PG_BIN / tool), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def embedded():
    """pantau's embedded server in a data dir, migrated, and kept running (as the daemon keeps it)."""
    # Short (the socket path must stay under 107 bytes) and outside pytest's basetemp, whose parent
    # every new pytest session run by root resets to mode 0700, locking out the server's own user.
    data_dir = Path(tempfile.mkdtemp(prefix="pantau-bk-"))
    server = EmbeddedPostgres(data_dir / "pgdata")
    try:
        url = server.start()
        env = clean_env(data_dir, PANTAU_DATA_DIR=str(data_dir))
        migrated = run(["pantau", "db", "migrate"], env, data_dir)
        assert migrated.returncode == 0, migrated.stderr
        yield data_dir, url
    finally:
        server.stop()
        shutil.rmtree(data_dir)


def test_pg_bin_has_the_embedded_servers_version():
    result = subprocess.run([str(PG_BIN / "pg_dump"), "--version"], capture_output=True, text=True)
    assert result.stdout.startswith("pg_dump (PostgreSQL) 16.")


@pytest.mark.slow
def test_backup_and_restore_of_the_embedded_database(embedded, tmp_path):
    data_dir, url = embedded
    socket_dir = str(data_dir / "pgdata")
    assert (data_dir / "pgdata" / ".s.PGSQL.5432").is_socket()
    add_subscription(url, "kept")
    dump = tmp_path / "pantau.dump"
    pg("pg_dump", "-h", socket_dir, "-U", "postgres", "-d", "pantau", "-Fc", "-f", str(dump))
    add_subscription(url, "after-backup")
    pg("pg_restore", "-h", socket_dir, "-U", "postgres", "-d", "pantau", "--clean", "--if-exists", str(dump))
    assert subscription_names(url) == ["kept"]


@pytest.mark.slow
def test_backup_and_restore_through_a_database_url(pg_admin_url, tmp_path):
    url = create_database(pg_admin_url, "t_backup_by_url")
    restored = create_database(pg_admin_url, "t_backup_restored")
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=url)
    assert run(["pantau", "db", "migrate"], env, tmp_path).returncode == 0
    add_subscription(url, "analysts")
    dump = tmp_path / "pantau.dump"
    pg("pg_dump", "-Fc", "-d", url, "-f", str(dump))
    pg("pg_restore", "--no-owner", "-d", restored, str(dump))
    assert subscription_names(restored) == ["analysts"]
    status = run(["pantau", "db", "status"], clean_env(tmp_path, PANTAU_DATABASE_URL=restored), tmp_path)
    assert "0001_initial: 20" in status.stdout  # the restored archive carries its migration history
