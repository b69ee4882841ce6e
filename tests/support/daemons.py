"""`pantau run` / `pantau crawl` / `pantau status` as real subprocesses over the fault server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.fault_server import FaultServer
from tests.support.helpers import ROOT
from tests.support.replay.crawl import write_config


def daemon_config(
    path: Path, server: FaultServer, *, subscriptions: list[dict[str, Any]] = (), **crawl: Any
) -> Path:  # type: ignore[assignment]
    """A pantau.toml: [crawl] over the fault server (jitter off), a fast [mail] cycle, subscriptions."""
    write_config(path, server, jitter_seconds=0, **crawl)
    lines = ["", "[mail]", "check_seconds = 0.5"]
    for sub in subscriptions:
        lines += ["", "[[subscriptions]]"] + [f"{k} = {json.dumps(v)}" for k, v in sub.items()]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def environment(
    config: Path, database_url: str, workdir: Path, smtp_url: str | None = None
) -> dict[str, str]:
    """The environment of a pantau subprocess: this checkout, the config, the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env.update(
        PANTAU_CONFIG=str(config),
        PANTAU_DATABASE_URL=database_url,
        PANTAU_DATA_DIR=str(workdir / "data"),
        PYTHONPATH=str(ROOT),
    )
    if smtp_url:
        env["PANTAU_SMTP_URL"] = smtp_url
    return env


@contextmanager
def daemon(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`pantau run` in a subprocess, its stderr in `log`; SIGKILLed if a test leaves it running."""
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pantau", "run"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)


def pantau(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one pantau command to its end."""
    return subprocess.run(
        [sys.executable, "-m", "pantau", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it is truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
