"""`pantau run` daemons as real subprocesses over the fault server: their config and environment."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.fault_server import FaultServer
from tests.support.helpers import ROOT, pantau_env, start_pantau
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
    return pantau_env(
        config=config,
        database_url=database_url,
        data_dir=workdir / "data",
        smtp_url=smtp_url,
        PYTHONPATH=str(ROOT),
    )


@contextmanager
def daemon(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    """`pantau run` in a subprocess, its stderr in `log`; SIGKILLed if a test leaves it running."""
    with log.open("wb") as err:
        proc = start_pantau("run", env=env, stderr=err)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
