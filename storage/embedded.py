"""An embedded PostgreSQL (the pgserver package) under pantau's data directory."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pantau.base.errors import DatabaseUnavailable
from pantau.storage.queries import schema as q

log = logging.getLogger(__name__)
DATABASE_NAME = "pantau"


class EmbeddedPostgres:
    """Starts (or reuses) a PostgreSQL server whose data lives in `pgdata_dir`.

    pgserver keeps one server per data directory and counts the processes using it; with
    cleanup_mode="stop" the server stops when the last of them exits, so a daemon and its crawl
    subprocesses share it, and nothing lingers after `pantau db status`.
    """

    def __init__(self, pgdata_dir: Path) -> None:
        self.pgdata_dir = pgdata_dir
        self._server: Any = None

    def start(self, level: int = logging.DEBUG) -> str:
        """Start the server if needed and return a URL for the `pantau` database; say so at `level`."""
        logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
        self.pgdata_dir.mkdir(parents=True, exist_ok=True)
        try:
            with warnings.catch_warnings():
                # pgserver asks platformdirs for a runtime dir, which services often lack; harmless.
                warnings.simplefilter("ignore")
                import pgserver  # late: only the embedded path needs it

                get_server = pgserver.get_server  # type: ignore[attr-defined]
                self._server = get_server(self.pgdata_dir, cleanup_mode="stop")
        except Exception as exc:
            raise DatabaseUnavailable(
                f"could not start the embedded PostgreSQL in {self.pgdata_dir}: {exc}; "
                "check the directory is writable (see its log/ folder) or set PANTAU_DATABASE_URL"
            ) from exc
        log.log(level, "embedded PostgreSQL is running; its data lives in %s", self.pgdata_dir)
        admin_url: str = self._server.get_uri()
        _ensure_database(admin_url, DATABASE_NAME)
        return str(self._server.get_uri(DATABASE_NAME))

    def stop(self) -> None:
        """Release this process's hold on the server (it stops when no process holds it)."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute(q.DATABASE_EXISTS, (name,)).fetchone():
            conn.execute(q.CREATE_DATABASE.format(name=sql.Identifier(name)))
