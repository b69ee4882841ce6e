"""PostgreSQL advisory locks: one holder per key across every pantau process on the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pantau.storage.queries import schema as q

if TYPE_CHECKING:
    import psycopg


def try_lock(conn: psycopg.Connection, key: str) -> bool:
    """Take the session lock `key` on `conn` if free; True when taken."""
    row = conn.execute(q.TRY_LOCK, (key,)).fetchone()
    return bool(row and row[0])


def unlock(conn: psycopg.Connection, key: str) -> None:
    """Release the session lock `key` held by `conn`."""
    conn.execute(q.UNLOCK, (key,))


@contextmanager
def held(conn: psycopg.Connection, key: str) -> Iterator[None]:
    """Wait for the session lock `key` on `conn`, hold it for the block, then release it."""
    conn.execute(q.LOCK, (key,))
    try:
        yield
    finally:
        unlock(conn, key)


@contextmanager
def attempt(conn: psycopg.Connection, key: str) -> Iterator[bool]:
    """Try the session lock `key`; yields whether it was taken and releases it after the block."""
    taken = try_lock(conn, key)
    try:
        yield taken
    finally:
        if taken:
            unlock(conn, key)
