"""Queries of the migration runner, the embedded server's set-up, and advisory locks."""

from psycopg import sql

# The embedded server (storage/embedded.py) creates pantau's database on first start.
DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = %s"
CREATE_DATABASE = sql.SQL("CREATE DATABASE {name}")  # name: sql.Identifier

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""
APPLIED_VERSIONS = "SELECT version, name, applied_at, NULL FROM schema_migrations ORDER BY version"
# From 0006 on, schema_migrations keeps each applied file's SHA-256 (NULL: applied before 0006 and not
# yet adopted, see storage/migrate.py).
CHECKSUMS_EXIST = """
SELECT EXISTS (
    SELECT 1 FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'
)
"""
APPLIED_WITH_CHECKSUMS = "SELECT version, name, applied_at, checksum FROM schema_migrations ORDER BY version"
RECORD_VERSION = "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)"
RECORD_VERSION_WITH_CHECKSUM = "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)"
ADOPT_CHECKSUM = "UPDATE schema_migrations SET checksum = %s WHERE version = %s AND checksum IS NULL"
VERSION_TABLE_EXISTS = "SELECT to_regclass('schema_migrations') IS NOT NULL"

# Session-level locks live on a dedicated connection (never a pooled one: the lock would stay on
# the pooled backend after the connection went back to the pool).
LOCK = "SELECT pg_advisory_lock(hashtext(%s))"
TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext(%s))"
UNLOCK = "SELECT pg_advisory_unlock(hashtext(%s))"
