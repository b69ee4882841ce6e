"""Helpers every test folder uses: where things are, polling with a deadline, running `pantau`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]  # the checkout: `python -m tests.support...` runs from here
FILES = ROOT / "tests" / "files"  # saved pages, labelled stories, schemas

# Keyword settings of pantau_env and the variable each sets.
_SETTINGS = {
    "config": "PANTAU_CONFIG",
    "database_url": "PANTAU_DATABASE_URL",
    "data_dir": "PANTAU_DATA_DIR",
    "smtp_url": "PANTAU_SMTP_URL",
}


def wait_for(condition: Callable[[], T], timeout: float, what: str, *, interval: float = 0.05) -> T:
    """Poll `condition` until it gives something truthy and return it; past `timeout` s fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pantau_env(
    base: Mapping[str, str] | None = None,
    *,
    home: Path | None = None,
    **settings: str | Path | None,
) -> dict[str, str]:
    """The environment of a pantau subprocess.

    `base` (by default this process's environment without PANTAU_*), XDG data and config dirs under
    `home` if given, then `config`, `database_url`, `data_dir`, `smtp_url` as their PANTAU_* variables
    and any other keyword as a variable of that name (None leaves a variable out).
    """
    own = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env = own if base is None else dict(base)
    if home is not None:
        env["XDG_DATA_HOME"] = str(home / "data")
        env["XDG_CONFIG_HOME"] = str(home / "config")
    for key, value in settings.items():
        if value is not None:
            env[_SETTINGS.get(key, key)] = str(value)
    return env


def run_pantau(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 120,
    capture: bool = True,
    **settings: Any,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m pantau ARGS` to its end and return it, whatever its exit code.

    `env` and `settings` build the environment as in pantau_env; output is captured as text unless
    `capture` is false.
    """
    return subprocess.run(
        [sys.executable, "-m", "pantau", *args],
        env=pantau_env(env, **settings),
        cwd=cwd,
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_pantau(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
    stderr: int | IO[Any] | None = None,
    **settings: Any,
) -> subprocess.Popen[str]:
    """Start `python -m pantau ARGS` (a daemon, a server) and return it running; the caller stops it."""
    return subprocess.Popen(
        [sys.executable, "-m", "pantau", *args],
        env=pantau_env(env, **settings),
        cwd=cwd,
        stdout=stdout,
        stderr=stderr,
        text=True,
    )
