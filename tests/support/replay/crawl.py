"""A real crawl of the replay world: `python -m tests.support.replay.child` in a subprocess, results back."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.helpers import ROOT, pantau_env
from tests.support.replay.server import ReplayHTTPServer


@dataclass
class CrawlResult:
    """What one crawl produced: items (as dicts), Scrapy stats, the log, and its exit code."""

    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    returncode: int

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0))

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", ""))


def write_config(path: Path, server: ReplayHTTPServer, **crawl: Any) -> Path:
    """A pantau.toml whose [crawl] sends every site host to the replay server, with no delay."""
    values: dict[str, Any] = {"download_delay": 0.0, "timeout_minutes": 2, **crawl}
    lines = ["[crawl]"] + [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    lines += ["", "[crawl.host_map]"] + [f'"{h}" = "{a}"' for h, a in server.host_map().items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_crawl(
    site: str,
    server: ReplayHTTPServer,
    workdir: Path,
    *,
    database_url: str | None = None,
    pipelines: bool = False,
    settings: dict[str, str] | None = None,
    timeout: float = 120,
    **crawl: Any,
) -> CrawlResult:
    """Crawl `site` against `server` through Scrapy's real download path; never the network.

    With `database_url`, the RunRecorder extension opens the archive (known URLs, validators, runs);
    with `pipelines`, items pass pantau's pipelines too. `crawl` overrides [crawl] keys.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    config = write_config(workdir / f"pantau-{site}.toml", server, **crawl)
    out = workdir / f"result-{site}-{len(list(workdir.glob('result-*')))}.json"
    env = pantau_env(
        config=config, data_dir=workdir / "data", database_url=database_url or None, PYTHONPATH=str(ROOT)
    )
    args = [sys.executable, "-m", "tests.support.replay.child", site, str(out)]
    args += ["--with-archive"] if database_url else []
    args += ["--with-pipelines"] if pipelines else []
    for key, value in (settings or {}).items():
        args += ["-s", f"{key}={value}"]
    try:
        done = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:  # the log says where it hung
        log = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return CrawlResult([], {}, log, -9)
    result = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"items": [], "stats": {}}
    return CrawlResult(result["items"], result["stats"], done.stderr, done.returncode)


def pantau_crawl(
    server: ReplayHTTPServer, workdir: Path, database_url: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """`pantau --config CONFIG crawl ARGS` over `server` (config in workdir) on the test database."""
    from tests.support.helpers import run_pantau

    config = write_config(workdir / "pantau.toml", server, timeout_minutes=3)
    return run_pantau(
        "--config", str(config), "crawl", *args,
        database_url=database_url, data_dir=workdir / "data", PYTHONPATH=str(ROOT), timeout=300, **env,
    )  # fmt: skip
