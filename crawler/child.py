"""The crawl process itself: its command line and environment, and the handle that supervises it.

The child is `python -m scrapy crawl <site>` in its own session; its output (stdout and stderr in
one pipe) is read to the end by a thread that logs each line as the child's logger and level, and
picks out the `PANTAU_RESULT` line its RunRecorder prints. The runner (crawler.runner) owns the
run's row in crawl_runs and the verdict.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pantau.base.settings import Settings

log = logging.getLogger("pantau.crawler.runner")  # the runner's voice: one logger for the operator
child_log = logging.getLogger("pantau.crawler.child")
SETTINGS_MODULE = "pantau.crawler.settings"
RESULT_MARKER = "PANTAU_RESULT "  # starts the line crawler.extensions.RunRecorder prints its verdict on
MIN_ADDRESS_SPACE_MB = 1024
# Scrapy's default log format: "2024-06-19 10:00:00 [logger.name] LEVEL: message"
_LOG_LINE = re.compile(r"^\S+ \S+ \[(?P<name>[^\]]+)\] (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL): ")


def closespider_timeout(limit: float) -> int:
    """The child's own graceful time limit: a little below the parent's hard one."""
    return max(1, int(limit - min(30.0, limit * 0.1)))


def child_command(
    settings: Settings, site: str, run_id: int, kind: str, limit: float, extra: Mapping[str, str]
) -> list[str]:
    """`python -m scrapy crawl <site>` with the run id, limits and extra settings."""
    values = {
        "PANTAU_RUN_ID": str(run_id),
        "PANTAU_RUN_KIND": kind,
        "CLOSESPIDER_TIMEOUT": str(closespider_timeout(limit)),
        "MEMUSAGE_LIMIT_MB": str(settings.crawl.memory_limit_mb),  # graceful: memusage_exceeded
        "LOG_LEVEL": settings.log_level,
        **extra,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", site]
    for key, value in values.items():
        command += ["-s", f"{key}={value}"]
    return command


def child_environment(settings: Settings, database_url: str) -> dict[str, str]:
    """The parent's environment plus the effective pantau settings, so the child crawls as configured.

    Each top-level key goes as PANTAU_<KEY>=<json> (pydantic-settings parses JSON for sections), so
    a config file the parent read with --config reaches the child too. Secrets are not in the dump:
    the database URL travels in PANTAU_DATABASE_URL only, never on the command line.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    data = settings.model_dump(mode="json", exclude={"database_url", "smtp_url"})
    for key, value in data.items():
        env[f"PANTAU_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    env["PANTAU_DATABASE_URL"] = database_url
    env["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE  # the working directory does not matter then
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Child:
    """A running crawl process and the thread that forwards its output."""

    proc: subprocess.Popen[str]
    site: str
    run_id: int
    result: dict[str, Any] | None = None
    reader: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._forward, name=f"crawl-{self.site}-log", daemon=True)
        self.reader.start()

    def _forward(self) -> None:
        """Log each output line as its own logger and level; read to the end so the pipe never fills up.

        The child's time and level prefix is dropped (our record has both), and the record goes to
        the child's logger, so Scrapy's INFO bookkeeping is demoted like our own (base.logs.CHATTY).
        """
        extra = {"site": self.site, "run_id": self.run_id}
        logger, level = child_log, logging.INFO
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.rstrip("\n")
            if line.startswith(RESULT_MARKER):
                self.result = _parse_result(line[len(RESULT_MARKER) :])
                continue
            match = _LOG_LINE.match(line)
            if match:  # continuation lines (tracebacks, stats dumps) keep the last logger and level
                logger, level = logging.getLogger(match["name"]), int(logging.getLevelName(match["level"]))
                line = line[match.end() :]
            logger.log(level, "%s", line, extra=extra)

    def signal_group(self, signum: int) -> None:
        """Send a signal to the crawl's whole process group (gone already: nothing to do)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def supervise(self, limit: float, stop: threading.Event | None, grace: float) -> str:
        """Wait for the child: 'exited', or 'timeout' / 'interrupted' once asked to close."""
        deadline = time.monotonic() + limit
        ended_by = "exited"
        while self.proc.poll() is None:
            if stop is not None and stop.is_set():
                ended_by = "interrupted"
                break
            if time.monotonic() >= deadline:
                ended_by = "timeout"
                break
            _wait(self.proc, stop, min(0.2, max(0.0, deadline - time.monotonic())))
        if ended_by != "exited":
            log.warning("closing the crawl (%s)", ended_by, extra={"site": self.site, "run_id": self.run_id})
            self.close(grace)
        self.reap()
        return ended_by

    def close(self, grace: float) -> None:
        """SIGINT (Scrapy closes gracefully, reason 'shutdown'), then SIGKILL after `grace` seconds."""
        self.signal_group(signal.SIGINT)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.error("crawl did not close within %.0f s; killing it", grace, extra={"site": self.site})
            self.signal_group(signal.SIGKILL)
            self.proc.wait()

    def reap(self) -> None:
        """Finish reading the output (EOF once the group is gone) and close the pipe."""
        self.reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _wait(proc: subprocess.Popen[str], stop: threading.Event | None, seconds: float) -> None:
    if stop is not None:
        stop.wait(seconds)  # wakes at once when stop is set
    else:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=seconds)


def _parse_result(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def spawn(command: list[str], settings: Settings, database_url: str, site: str, run_id: int) -> Child:
    """Start the crawl process (own session, address space capped) with its output forwarded."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Address space, a hard backstop above the resident limit (MEMUSAGE_LIMIT_MB); an interpreter with
    # Scrapy and lxml reserves several hundred MB of it before fetching anything.
    cap = max(2 * settings.crawl.memory_limit_mb, MIN_ADDRESS_SPACE_MB) * 1024 * 1024
    proc = subprocess.Popen(
        command,
        cwd=settings.data_dir,
        env=child_environment(settings, database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: signals reach the crawl, not the daemon
        # Bound in advance: the forked child runs no Python-level imports or locks before exec.
        preexec_fn=partial(resource.setrlimit, resource.RLIMIT_AS, (cap, cap)),
    )
    return Child(proc, site, run_id)
