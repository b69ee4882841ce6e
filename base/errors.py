"""pantau's own exception types: each carries one line a user can act on."""

from __future__ import annotations


class PantauError(Exception):
    """An error the CLI reports as one line and exit code 2, without a traceback."""

    exit_code = 2


class ConfigError(PantauError):
    """The configuration is invalid: names the key or file and what to do."""


class DatabaseUnavailable(PantauError):
    """PostgreSQL cannot be reached: names the server (never the password) and what to do."""


class MigrationError(PantauError):
    """A schema migration failed; the database stays at the previous version."""
