"""An embedded PostgreSQL (the pgserver package) under pantau's data directory."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pantau.base.errors import DatabaseUnavailable, PantauError
from pantau.base.processes import process_alive
from pantau.storage.queries import schema as q

log = logging.getLogger(__name__)
DATABASE_NAME = "pantau"


class EmbeddedPostgres:
    """Starts (or reuses) a PostgreSQL server whose data lives in `pgdata_dir`.

    pgserver keeps one server per data directory and lists the pids of the processes using it in
    `pgdata/.handle_pids.json`; with cleanup_mode="stop" the server stops when the last of them
    exits. A process killed with SIGKILL never takes its pid off that list, which would keep the
    server running for ever, so dead pids are pruned before every start and every release.
    """

    def __init__(self, pgdata_dir: Path) -> None:
        self.pgdata_dir = pgdata_dir
        self._server: Any = None

    def start(self, level: int = logging.DEBUG) -> str:
        """Start the server if needed and return a URL for the `pantau` database; say so at `level`."""
        logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
        self.pgdata_dir.mkdir(parents=True, exist_ok=True)
        try:
            prune_dead_users(self.pgdata_dir)
            self._server = _pgserver().get_server(self.pgdata_dir, cleanup_mode="stop")
        except Exception as exc:
            raise DatabaseUnavailable(
                f"could not start the embedded PostgreSQL in {self.pgdata_dir}: {exc}; "
                "check the directory is writable (see its log/ folder) or set PANTAU_DATABASE_URL"
            ) from exc
        log.log(level, "embedded PostgreSQL is running; its data lives in %s", self.pgdata_dir)
        admin_url: str = self._server.get_uri()
        _ensure_database(admin_url, DATABASE_NAME)
        return str(self._server.get_uri(DATABASE_NAME))

    def running(self) -> bool:
        """Whether the server's postmaster is alive (from its postmaster.pid)."""
        pid = _postmaster_pid(self.pgdata_dir)
        return pid is not None and process_alive(pid)

    def restart(self) -> str:
        """Start the server again after its postmaster died (pgserver's own start); its URL.

        Raises DatabaseUnavailable while it cannot start yet, e.g. while the dead postmaster's
        backends still hold its shared memory; the caller tries again later.
        """
        if self._server is None:
            raise DatabaseUnavailable(f"the embedded PostgreSQL in {self.pgdata_dir} was never started")
        try:
            with _pgserver().PostgresServer._lock:
                self._server.ensure_postgres_running()
        except Exception as exc:
            raise DatabaseUnavailable(
                f"could not restart the embedded PostgreSQL in {self.pgdata_dir}: {exc}; "
                f"its log is {self.pgdata_dir / 'log'}"
            ) from None
        return str(self._server.get_uri(DATABASE_NAME))

    def stop(self) -> None:
        """Release this process's hold on the server (it stops when no process holds it)."""
        if self._server is not None:
            prune_dead_users(self.pgdata_dir)
            self._server.cleanup()
            self._server = None


def _postmaster_pid(pgdata_dir: Path) -> int | None:
    """The pid on the first line of postmaster.pid; None without one."""
    try:
        first = (pgdata_dir / "postmaster.pid").read_text().split(maxsplit=1)
    except OSError:
        return None
    return int(first[0]) if first and first[0].isdigit() else None


def _pgserver() -> Any:
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime dir, which services often lack; harmless.
        warnings.simplefilter("ignore")
        import pgserver  # late: only the embedded path needs it

    return pgserver


def _users(pgdata_dir: Path) -> Any:
    """pgserver's list of the pids using the server of `pgdata_dir` (it resolves the path too)."""
    from pgserver.utils import DiskList

    return DiskList(pgdata_dir.expanduser().resolve() / ".handle_pids.json")


def prune_dead_users(pgdata_dir: Path) -> list[int]:
    """Take the pids of dead processes off pgserver's user list (under its lock); the live ones."""
    users = _users(pgdata_dir)
    with _pgserver().PostgresServer._lock:  # the inter-process lock pgserver holds for its list
        pids = users.get()
        live = [pid for pid in pids if process_alive(pid)]
        if live != pids:
            users.put(live)
            log.info("embedded PostgreSQL: dropped dead user pid(s) %s", sorted(set(pids) - set(live)))
    return live


def stop_server(pgdata_dir: Path) -> str:
    """Stop the embedded server unless a live process uses it (PantauError naming them); what was done."""
    from pgserver.utils import PostmasterInfo

    pgdata = pgdata_dir.expanduser().resolve()
    if not (pgdata / "PG_VERSION").exists():
        return f"no embedded database in {pgdata}: nothing to stop"
    pgserver = _pgserver()
    live = prune_dead_users(pgdata)
    if live:
        raise PantauError(
            f"the embedded PostgreSQL in {pgdata} is in use by pid(s) {', '.join(map(str, live))}; "
            "stop them first (the daemon: systemctl stop pantau, or Ctrl-C), then run pantau db stop again"
        )
    with pgserver.PostgresServer._lock:
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is None or not info.is_running():
            return f"the embedded PostgreSQL in {pgdata} is not running: its files are safe to copy"
        # As pgserver does: under root the server runs as its own `pgserver` user.
        pgserver.pg_ctl(["-w", "stop"], pgdata=pgdata, user="pgserver" if os.geteuid() == 0 else None)
    return f"stopped the embedded PostgreSQL in {pgdata} (pid {info.pid}): its files are safe to copy"


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute(q.DATABASE_EXISTS, (name,)).fetchone():
            conn.execute(q.CREATE_DATABASE.format(name=sql.Identifier(name)))
