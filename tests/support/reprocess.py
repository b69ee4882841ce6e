"""A crawled archive of the replay world and its topic folder, for the reprocessing tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
from click.testing import CliRunner, Result

from pantau.base.settings import PACKAGE_TOPICS_DIR
from pantau.cli.main import cli
from tests.support.helpers import ROOT, run_pantau
from tests.support.replay import default_world, serve
from tests.support.replay.crawl import write_config

TOPIC = "nk-russia-arms"


@dataclass(frozen=True)
class Crawled:
    """The module's database after one `pantau crawl` of every site of the replay world."""

    database_url: str
    workdir: Path

    def topics_dir(self, name: str) -> Path:
        """A fresh copy of the shipped topic folder (a test edits its copy)."""
        target = self.workdir / "topics" / name
        shutil.copytree(PACKAGE_TOPICS_DIR, target)
        return target

    def pantau(self, *args: str, topics_dir: Path | None = None, sites_dir: Path | None = None) -> Result:
        """`pantau ARGS` in-process on this archive (stdout and stderr apart)."""
        env = {
            "PANTAU_DATABASE_URL": self.database_url,
            "PANTAU_DATA_DIR": str(self.workdir / "data"),
            "PANTAU_TOPICS_DIR": str(topics_dir or PACKAGE_TOPICS_DIR),
            "PANTAU_CONFIG": "",
            "COLUMNS": "200",
        }
        if sites_dir is not None:
            env["PANTAU_SITES_DIR"] = str(sites_dir)
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    def on_topic(self, topic: str = TOPIC) -> set[int]:
        """The ids of the stories on `topic`."""
        with psycopg.connect(self.database_url) as conn:
            query = "SELECT article_id FROM article_topics WHERE topic = %s AND on_topic"
            return {row[0] for row in conn.execute(query, (topic,))}

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Rows of one query on the archive."""
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def crawl_replay(database_url: str, workdir: Path) -> Crawled:
    """Crawl all four sites of the default replay world into the database with `pantau crawl`."""
    workdir.mkdir(parents=True, exist_ok=True)
    with serve(default_world()) as server:
        config = write_config(workdir / "pantau.toml", server, timeout_minutes=2)
        done = run_pantau(
            "--config",
            str(config),
            "crawl",
            database_url=database_url,
            data_dir=workdir / "data",
            PYTHONPATH=str(ROOT),
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    return Crawled(database_url, workdir)


def set_threshold(topics_dir: Path, threshold: float, topic: str = TOPIC) -> None:
    """Rewrite the topic file's threshold line."""
    path = topics_dir / f"{topic}.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"threshold = {threshold}" if line.startswith("threshold") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
