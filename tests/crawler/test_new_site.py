"""A new outlet is one site file: a copy of detik.toml under another name and domain, nothing else.

The copy ("warta", on warta.test) sits in a `sites_dir`; `scrapy list` lists it, `crawl.sites`
accepts it, `pantau extract` reads its pages by its rules, and `pantau crawl warta` crawls it over
loopback: the replay world's detik pages, served under the new domain, are discovered, fetched,
extracted and stored as warta's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner

from pantau.base.errors import ConfigError
from pantau.base.settings import load_settings
from pantau.base.sites import SHIPPED_SITES_DIR, load_registry, use_registry
from pantau.cli.main import cli
from pantau.scheduler.render import outlet_name
from tests.support.helpers import FILES, ROOT, pantau_env, run_pantau
from tests.support.replay import World, default_world, serve
from tests.support.replay.render import respond
from tests.support.replay.server import HOSTS

NEW, DOMAIN = "warta", "warta.test"  # .test is reserved (RFC 2606): it can never reach a real host
REPLAYED = [host for host in HOSTS if host.endswith("detik.com")]
SAVED_DETIK_PAGE = FILES / "extraction" / "detik_multicard.html"


@pytest.fixture(autouse=True)
def shipped_registry():
    """load_settings makes its sites the process's: give later tests the shipped ones back."""
    yield
    use_registry(load_registry(SHIPPED_SITES_DIR))


def write_site_file(sites_dir: Path) -> Path:
    """detik.toml with another name and domain: the whole of adding the outlet."""
    text = (SHIPPED_SITES_DIR / "detik.toml").read_text(encoding="utf-8")
    text = text.replace(r"detik\.com", r"warta\.test").replace("detik.com", DOMAIN)
    text = text.replace('display_name = "detik"', 'display_name = "Warta"')
    text = text.replace('\nname = "detik"', f'\nname = "{NEW}"')
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{NEW}.toml"
    path.write_text(text, encoding="utf-8")
    return path


class RenamedReplay(ThreadingHTTPServer):
    """The replay world's detik, answering as warta.test: hosts mapped back, URLs in bodies renamed."""

    daemon_threads = True

    def __init__(self, world: World) -> None:
        super().__init__(("127.0.0.1", 0), _RenamingHandler)
        self.world = world
        self.paths: list[str] = []

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"


class _RenamingHandler(BaseHTTPRequestHandler):
    server: RenamedReplay
    protocol_version = "HTTP/1.1"
    timeout = 10

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.paths.append(f"{host}{parts.path}")
        reply = respond(
            self.server.world, host.replace(DOMAIN, "detik.com"), parts.path, parts.query, headers
        )
        body = reply.body.replace(b"detik.com", DOMAIN.encode())
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value.replace("detik.com", DOMAIN))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _config(path: Path, sites_dir: Path, address: str, sites: list[str]) -> Path:
    lines = [f"sites_dir = {json.dumps(str(sites_dir))}", "", "[crawl]", f"sites = {json.dumps(sites)}"]
    lines += ["download_delay = 0.0", "timeout_minutes = 2", "", "[crawl.host_map]"]
    lines += [f'"{host.replace("detik.com", DOMAIN)}" = "{address}"' for host in REPLAYED]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scrapy_list(workdir: Path, **settings: str | Path) -> subprocess.CompletedProcess[str]:
    """`scrapy list` in the project root, as a user runs it."""
    env = pantau_env(data_dir=workdir / "data", **settings)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_scrapy_list_lists_a_site_added_as_a_file(tmp_path):
    write_site_file(tmp_path / "sites")
    listed = _scrapy_list(tmp_path, PANTAU_SITES_DIR=tmp_path / "sites")
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert listed.stdout.split() == ["bisnis", "detik", "kompas", "okezone", NEW]
    shipped_only = _scrapy_list(tmp_path)
    assert shipped_only.stdout.split() == ["bisnis", "detik", "kompas", "okezone"]


def test_crawl_sites_accepts_the_new_site_and_names_an_unknown_one(tmp_path):
    sites_dir = tmp_path / "sites"
    write_site_file(sites_dir)
    settings = load_settings(None, data_dir=tmp_path / "data", sites_dir=sites_dir, crawl={"sites": [NEW]})
    assert settings.crawl.sites == [NEW]
    assert outlet_name(NEW) == "Warta"  # digests and status name it by its [site] display_name
    everything = load_settings(None, data_dir=tmp_path / "data", sites_dir=sites_dir)
    assert everything.crawl.sites == ["bisnis", "detik", "kompas", "okezone", NEW]
    with pytest.raises(ConfigError) as caught:
        load_settings(None, data_dir=tmp_path / "data", crawl={"sites": [NEW]})  # no sites_dir: unknown
    message = str(caught.value)
    assert "\n" not in message
    assert f"'crawl.sites': '{NEW}' is not one of the known sites (bisnis, detik, kompas, okezone)" in message
    assert "sites_dir" in message


def test_pantau_extract_reads_a_saved_page_of_the_new_site_by_its_rules(tmp_path):
    sites_dir = tmp_path / "sites"
    write_site_file(sites_dir)
    config = tmp_path / "pantau.toml"
    config.write_text(f"sites_dir = {json.dumps(str(sites_dir))}\n", encoding="utf-8")
    url = f"https://news.{DOMAIN}/internasional/d-6769850/as-khawatir-korut-akan-kirim-lebih-banyak-senjata"
    args = ["extract", str(SAVED_DETIK_PAGE), "--url", url, "--json"]
    env = {"PANTAU_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(cli, ["--config", str(config), *args], env=env)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert (record["site"], record["date_source"]) == (NEW, "meta:dtk:publishdate")  # detik rules, as warta
    assert record["title"] == "AS Khawatir Korut Akan Kirim Lebih Banyak Senjata ke Rusia"
    use_registry(load_registry(SHIPPED_SITES_DIR))
    unknown = CliRunner().invoke(cli, args, env=env)  # without the sites_dir the domain is nobody's
    assert unknown.exit_code == 2
    assert f"unknown site for URL {url!r}" in unknown.output
    assert "sites_dir" in unknown.output


@pytest.mark.slow
def test_pantau_crawl_crawls_the_new_site_over_loopback(tmp_path, database_url):
    world = default_world()
    sites_dir = tmp_path / "sites"
    write_site_file(sites_dir)
    with serve(world, RenamedReplay) as server:
        config = _config(tmp_path / "pantau.toml", sites_dir, server.address, [NEW])
        result = run_pantau(
            "--config",
            str(config),
            "crawl",
            NEW,
            data_dir=tmp_path / "data",
            database_url=database_url,
            timeout=240,
        )
    assert result.returncode == 0, result.stderr[-4000:]
    row = next(line.split() for line in result.stdout.splitlines() if line.startswith(NEW))
    expected = {story.url.replace("detik.com", DOMAIN) for story in world.of("detik")}
    with psycopg.connect(database_url) as conn:
        stored = {r[0] for r in conn.execute("SELECT canonical_url FROM articles WHERE site = %s", (NEW,))}
        runs = conn.execute("SELECT status FROM crawl_runs WHERE site = %s", (NEW,)).fetchall()
        on_topic = conn.execute(
            "SELECT count(*) FROM articles a JOIN article_topics t ON t.article_id = a.id"
            " WHERE a.site = %s AND t.on_topic",
            (NEW,),
        ).fetchone()
    assert stored == expected
    assert row[-1] == "finished"
    assert int(row[4]) == len(expected)  # the "stored" column
    assert runs == [("finished",)]
    assert on_topic == (1,)  # the detik seed story, read through warta's rules
    assert all(urlsplit(f"https://{p}").hostname.endswith(DOMAIN) for p in server.paths)
