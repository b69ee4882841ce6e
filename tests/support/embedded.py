"""Looking at an embedded PostgreSQL from outside pantau: its postmaster, its archive, its shutdown."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import psycopg

from tests.support.helpers import wait_for


def postmaster_pid(data_dir: Path) -> int | None:
    """The postmaster's pid from `<data_dir>/pgdata/postmaster.pid`; None without one (stopped)."""
    try:
        return int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def embedded_rows(data_dir: Path, query: str) -> list[tuple[Any, ...]] | None:
    """The rows of `query` on the embedded `pantau` database; None while the server does not answer."""
    url = f"postgresql://postgres@/pantau?host={data_dir / 'pgdata'}&connect_timeout=2"
    try:
        with psycopg.connect(url) as conn:
            return conn.execute(query).fetchall()  # type: ignore[arg-type]
    except psycopg.Error:
        return None


def stop_if_running(data_dir: Path) -> None:
    """A fast shutdown (SIGINT to the postmaster, as `pg_ctl -m fast stop`) if it still runs."""
    pid = postmaster_pid(data_dir)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return  # killed: postgres leaves postmaster.pid behind
    wait_for(lambda: postmaster_pid(data_dir) is None, 60, "the embedded server to stop")
