"""Numbered SQL migrations, each applied in one transaction and recorded in schema_migrations."""

from __future__ import annotations

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


@dataclass(frozen=True)
class MigrationState:
    """A migration and when it was applied (None: pending)."""

    version: int
    name: str
    applied_at: datetime | None


def available() -> list[Migration]:
    """The migrations shipped with pantau, in version order."""
    found = []
    for entry in resources.files("pantau.storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def _applied(conn: psycopg.Connection) -> dict[int, datetime]:
    row = conn.execute(q.VERSION_TABLE_EXISTS).fetchone()
    if not row or not row[0]:
        return {}
    return {version: at for version, _name, at in conn.execute(q.APPLIED_VERSIONS)}


def migrate(db: Database) -> list[Migration]:
    """Apply pending migrations under an advisory lock (two processes never migrate at once).

    Then anchor and cluster the stories stored before migration 0020, once (storage.clusters).
    """
    done: list[Migration] = []
    with db.dedicated("migrate") as conn, locks.held(conn, MIGRATE_LOCK):
        conn.execute(q.CREATE_VERSION_TABLE)
        applied = _applied(conn)
        for migration in available():
            if migration.version in applied:
                continue
            try:
                with conn.transaction():
                    conn.execute(migration.sql.encode())  # bytes: run the file as one multi-statement script
                    conn.execute(q.RECORD_VERSION, (migration.version, migration.name))
            except psycopg.Error as exc:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed and was rolled back: "
                    f"{str(exc).strip().splitlines()[0]}"
                ) from exc
            log.info("applied migration %04d_%s", migration.version, migration.name)
            done.append(migration)
        # Data only Python can compute: the story anchors of archives from before 0020 (a no-op after).
        clusters.reanchor(conn)
    return done


def status(db: Database) -> list[MigrationState]:
    """Every known migration with the time it was applied, or None when pending."""
    with db.connection() as conn:
        applied = _applied(conn)
    return [MigrationState(m.version, m.name, applied.get(m.version)) for m in available()]
