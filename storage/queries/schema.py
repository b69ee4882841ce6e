"""Queries of the migration runner and advisory locks."""

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""
APPLIED_VERSIONS = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
RECORD_VERSION = "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)"
VERSION_TABLE_EXISTS = "SELECT to_regclass('schema_migrations') IS NOT NULL"

# Session-level locks live on a dedicated connection (never a pooled one: the lock would stay on
# the pooled backend after the connection went back to the pool).
LOCK = "SELECT pg_advisory_lock(hashtext(%s))"
TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext(%s))"
UNLOCK = "SELECT pg_advisory_unlock(hashtext(%s))"
