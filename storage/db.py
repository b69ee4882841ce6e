"""Connections to the archive: a pool for work, dedicated connections for session advisory locks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
from psycopg import conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from pantau.base.errors import DatabaseUnavailable
from pantau.storage.embedded import EmbeddedPostgres

if TYPE_CHECKING:
    from pantau.base.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timeouts:
    """Per-connection limits so a stuck query becomes a clear error, not a hang."""

    connect: int = 10
    statement: int = 30
    lock: int = 5
    idle_in_transaction: int = 60


def describe_server(url: str) -> str:
    """The server a URL points at, for messages: host:port/dbname, never the password."""
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(unparsable database URL)"
    host = params.get("host") or "localhost"
    port = params.get("port") or 5432
    return f"{host}:{port}/{params.get('dbname', '')}"


def connection_kwargs(app_name: str, timeouts: Timeouts) -> dict[str, str | int]:
    """libpq parameters every pantau connection carries."""
    options = (
        f"-c statement_timeout={timeouts.statement}s -c lock_timeout={timeouts.lock}s "
        f"-c idle_in_transaction_session_timeout={timeouts.idle_in_transaction}s"
    )
    return {"connect_timeout": timeouts.connect, "application_name": app_name, "options": options}


class Database:
    """The archive for one process: a connection pool plus dedicated connections on request."""

    def __init__(
        self,
        url: str,
        *,
        app_name: str = "pantau",
        max_size: int = 4,
        timeouts: Timeouts | None = None,
        embedded: EmbeddedPostgres | None = None,
    ) -> None:
        self.url = url
        self.app_name = app_name
        self.timeouts = timeouts or Timeouts()
        self.embedded = embedded
        self._conninfo = conninfo.make_conninfo(url, **connection_kwargs(app_name, self.timeouts))
        self.pool = ConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            open=False,
            timeout=self.timeouts.connect,
            check=ConnectionPool.check_connection,
            name=app_name,
        )

    def open(self) -> Database:
        """Open the pool and fail fast, naming the server, if it cannot be reached."""
        # One direct attempt first: the pool would retry quietly until its timeout.
        with self.dedicated("check"):
            pass
        self.pool.open()
        try:
            self.pool.wait(timeout=self.timeouts.connect)
        except PoolTimeout:
            self.pool.close()
            raise DatabaseUnavailable(
                f"cannot reach PostgreSQL at {describe_server(self.url)}: check that the server runs "
                "and PANTAU_DATABASE_URL is right (unset it to use the embedded database)"
            ) from None
        return self

    def close(self) -> None:
        """Close the pool and release the embedded server, if any."""
        self.pool.close()
        if self.embedded is not None:
            self.embedded.stop()

    def __enter__(self) -> Database:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled autocommit connection; use `with conn.transaction():` for each unit of work."""
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def dedicated(self, role: str = "lock") -> Iterator[psycopg.Connection]:
        """A connection of its own, outside the pool: for session-level advisory locks."""
        try:
            conn = psycopg.connect(
                conninfo.make_conninfo(self._conninfo, application_name=f"{self.app_name}-{role}"),
                autocommit=True,
            )
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(
                f"cannot reach PostgreSQL at {describe_server(self.url)}: {first_line(exc)}"
            ) from None
        with conn:
            yield conn


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (libpq messages span several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(settings: Settings, app_name: str = "pantau", *, announce: bool = False) -> Database:
    """The configured database (PANTAU_DATABASE_URL) or, with none, the embedded one; opened.

    `announce` logs the embedded server's start at INFO (the daemon's log); else at DEBUG, so an
    interactive command prints only its answer.
    """
    timeouts = Timeouts(
        connect=settings.database.connect_timeout,
        statement=settings.database.statement_timeout,
        lock=settings.database.lock_timeout,
    )
    embedded = None
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
    else:
        embedded = EmbeddedPostgres(settings.data_dir / "pgdata")
        url = embedded.start(logging.INFO if announce else logging.DEBUG)
    db = Database(
        url, app_name=app_name, max_size=settings.database.pool_max_size, timeouts=timeouts, embedded=embedded
    )
    try:
        return db.open()
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
