"""pantau's own exception types: each carries one line a user can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class PantauError(Exception):
    """An error the CLI reports as one line and exit code 2, without a traceback."""

    exit_code = 2


class ConfigError(PantauError):
    """The configuration is invalid: names the key or file and what to do."""


class DatabaseUnavailable(PantauError):
    """PostgreSQL cannot be reached: names the server (never the password) and what to do."""


class MigrationError(PantauError):
    """A schema migration failed; the database stays at the previous version."""


def describe_validation_error(error: ValidationError, *, show_input: bool = True) -> str:
    """One line naming each bad key (dotted) and what is wrong with it, for a TOML file's errors."""
    parts = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"])
        if not key:  # a check across keys (a model validator): its message names the keys itself
            parts.append(item["msg"])
        elif item["type"] == "extra_forbidden":
            parts.append(f"unknown key '{key}'; remove it or check its spelling")
        elif show_input:
            parts.append(f"'{key}': {item['msg']} (got {item.get('input')!r})")
        else:
            parts.append(f"'{key}': {item['msg']}")
    return "; ".join(parts)
