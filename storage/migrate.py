"""Numbered SQL migrations, each applied in one transaction and recorded in schema_migrations.

Each applied migration keeps the SHA-256 of its file (from 0006 on); a shipped file that no longer
matches what was applied is refused, naming it, before anything runs. Rows applied before 0006 added
the column adopt the checksum of the file shipped at that time (trust on first use: what an older
file said is unknown, and 0005 was edited in place once, so refusing them would stop every archive).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING

import psycopg

from pantau.base.errors import MigrationError
from pantau.storage import clusters, locks
from pantau.storage.queries import schema as q

if TYPE_CHECKING:
    from pantau.storage.db import Database

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
MIGRATE_LOCK = "pantau:migrate"


@dataclass(frozen=True)
class Migration:
    """One SQL file of storage/migrations: NNNN_name.sql."""

    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        """The file's stem, as people see it: 0005_backfill."""
        return f"{self.version:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text, hex."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MigrationState:
    """A migration and when it was applied (None: pending)."""

    version: int
    name: str
    applied_at: datetime | None


@dataclass(frozen=True)
class _Applied:
    at: datetime
    checksum: str | None  # None: applied before checksums were kept, not adopted yet


def available() -> list[Migration]:
    """The migrations shipped with pantau, in version order."""
    found = []
    for entry in resources.files("pantau.storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def _has_checksums(conn: psycopg.Connection) -> bool:
    row = conn.execute(q.CHECKSUMS_EXIST).fetchone()
    return bool(row and row[0])


def _applied(conn: psycopg.Connection) -> dict[int, _Applied]:
    row = conn.execute(q.VERSION_TABLE_EXISTS).fetchone()
    if not row or not row[0]:
        return {}
    query = q.APPLIED_WITH_CHECKSUMS if _has_checksums(conn) else q.APPLIED_VERSIONS
    return {version: _Applied(at, checksum) for version, _name, at, checksum in conn.execute(query)}


def check_unchanged(migrations: list[Migration], applied: dict[int, _Applied]) -> None:
    """Raise MigrationError naming the first applied migration whose shipped file has changed."""
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded.checksum not in (None, migration.checksum):
            raise MigrationError(
                f"migration {migration.label} was changed after it was applied to this archive "
                f"(applied sha256 {recorded.checksum[:12]}, shipped {migration.checksum[:12]}); "
                "restore the file as it was applied (reinstall that pantau release); a schema change "
                "belongs in a new migration file"
            )


def migrate(db: Database) -> list[Migration]:
    """Apply pending migrations under an advisory lock (two processes never migrate at once).

    Then anchor and cluster the stories stored before migration 0020, once (storage.clusters).
    """
    done: list[Migration] = []
    migrations = available()
    with db.dedicated("migrate") as conn, locks.held(conn, MIGRATE_LOCK):
        conn.execute(q.CREATE_VERSION_TABLE)
        applied = _applied(conn)
        check_unchanged(migrations, applied)
        for migration in migrations:
            if migration.version not in applied:
                _apply(conn, migration)
                done.append(migration)
        _adopt_checksums(conn, migrations)
        # Data only Python can compute: the story anchors of archives from before 0020 (a no-op after).
        clusters.reanchor(conn)
    return done


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    try:
        with conn.transaction():
            conn.execute(migration.sql.encode())  # bytes: run the file as one multi-statement script
            if _has_checksums(conn):  # 0006 and later: the column exists, 0006 included
                conn.execute(
                    q.RECORD_VERSION_WITH_CHECKSUM, (migration.version, migration.name, migration.checksum)
                )
            else:
                conn.execute(q.RECORD_VERSION, (migration.version, migration.name))
    except psycopg.Error as exc:
        raise MigrationError(
            f"migration {migration.label} failed and was rolled back: {str(exc).strip().splitlines()[0]}"
        ) from exc
    log.info("applied migration %s", migration.label)


def _adopt_checksums(conn: psycopg.Connection, migrations: list[Migration]) -> None:
    """Give rows applied before checksums were kept the checksum of the file shipped now."""
    if not _has_checksums(conn):
        return
    with conn.transaction():
        for migration in migrations:
            conn.execute(q.ADOPT_CHECKSUM, (migration.checksum, migration.version))


def status(db: Database) -> list[MigrationState]:
    """Every known migration with the time it was applied, or None when pending."""
    with db.connection() as conn:
        applied = _applied(conn)
    return [
        MigrationState(m.version, m.name, applied[m.version].at if m.version in applied else None)
        for m in available()
    ]
