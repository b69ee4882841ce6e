"""Migration checksums: an applied file that changed is refused by name; older archives still start."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from click.testing import CliRunner

from pantau.base.errors import MigrationError
from pantau.cli.main import cli
from pantau.storage.db import Database
from pantau.storage.migrate import Migration, available, migrate, status
from pantau.storage.queries import schema as q
from tests.support.database import create_database

# 0005 as it first shipped, before it was edited in place to allow the 'forbidden' walk end.
FIRST_0005 = """
ALTER TABLE backfill_checkpoints
    ADD COLUMN oldest date,
    ADD COLUMN ended  text CHECK (ended IN ('empty', 'repeat', 'padding', 'since', 'limit'));
"""


def _checksums(url: str) -> dict[int, str | None]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())


def _edited(version: int, extra: str) -> list[Migration]:
    return [dataclasses.replace(m, sql=m.sql + extra) if m.version == version else m for m in available()]


def test_every_applied_migration_keeps_the_checksum_of_its_file(database_url):
    assert _checksums(database_url) == {m.version: m.checksum for m in available()}
    assert "0006_migration_checksums" in [m.label for m in available()]


def test_an_applied_migration_whose_file_changed_is_refused_before_anything_runs(pg_admin_url, monkeypatch):
    url = create_database(pg_admin_url, "t_checksum_changed")
    with Database(url) as database:
        migrate(database)
        pending = Migration(9999, "later", "CREATE TABLE later_table (x int);")
        monkeypatch.setattr(
            "pantau.storage.migrate.available", lambda: [*_edited(5, "\n-- tidied\n"), pending]
        )
        with pytest.raises(MigrationError) as caught:
            migrate(database)
        with database.connection() as conn:
            assert conn.execute("SELECT to_regclass('later_table')").fetchone() == (None,)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("migration 0005_backfill was changed after it was applied to this archive")
    assert "new migration" in message


def test_the_cli_reports_a_changed_migration_as_one_line_and_exit_2(pg_admin_url, monkeypatch, tmp_path):
    url = create_database(pg_admin_url, "t_checksum_cli")
    with Database(url) as database:
        migrate(database)
    monkeypatch.setattr("pantau.storage.migrate.available", lambda: _edited(1, "\n-- reformatted\n"))
    env = {"PANTAU_DATABASE_URL": url, "PANTAU_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(cli, ["db", "migrate"], env=env)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "migration 0001_initial was changed after it was applied" in result.stderr


def test_an_archive_migrated_before_checksums_existed_starts_and_adopts_them(pg_admin_url):
    """An archive that ran the first 0005 (no checksums then) upgrades cleanly, its CHECK repaired."""
    url = create_database(pg_admin_url, "t_checksum_legacy")
    legacy = [m for m in available() if m.version < 5]
    with psycopg.connect(url, autocommit=True) as conn:  # what the older pantau did
        conn.execute(q.CREATE_VERSION_TABLE)
        for migration in [*legacy, Migration(5, "backfill", FIRST_0005)]:
            with conn.transaction():
                conn.execute(migration.sql.encode())
                conn.execute(q.RECORD_VERSION, (migration.version, migration.name))
    with Database(url) as database:
        # 0006 and every later migration (the pre-checksum archive stopped at 0005).
        assert [m.label for m in migrate(database)] == [m.label for m in available() if m.version > 5]
        assert migrate(database) == []
        assert all(state.applied_at is not None for state in status(database))
    # Trust on first use: the pre-checksum rows now carry the checksums of the files shipped today.
    assert _checksums(url) == {m.version: m.checksum for m in available()}
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO backfill_checkpoints (site, listing, page, ended) VALUES ('kompas', 'search:x', 1,"
            " 'forbidden')"
        )
