"""The container files: the entrypoint runs here for real; Dockerfile and compose file are checked statically.

No container engine runs on these machines, so what the image would run is run here directly: the
entrypoint script as the Dockerfile installs it, against this session's PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import psycopg
import pytest
import yaml
from psycopg import conninfo

from pantau.storage import status
from tests.support.database import create_database
from tests.support.deploy import DEPLOY, ROOT, clean_env, run

ENTRYPOINT = DEPLOY / "entrypoint.sh"
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
DOWN_URL = "postgresql://pantau:not-the-password@127.0.0.1:1/pantau"


def instruction(name: str) -> str:
    """The argument of the Dockerfile's one `name` instruction (continuation lines joined)."""
    text = DOCKERFILE.replace("\\\n", " ")
    found = re.findall(rf"^{name} (.+)$", text, flags=re.M)
    assert len(found) == 1, f"expected one {name} in deploy/Dockerfile, found {found}"
    return found[0].strip()


def exec_form(argument: str) -> list[str]:
    value = json.loads(argument)
    assert isinstance(value, list)
    return value


@pytest.fixture
def fresh_url(pg_admin_url, request):
    """An empty database (no schema yet), as a new deployment's server has."""
    return create_database(pg_admin_url, f"t_entry_{request.node.name[-30:].lower()}")


@pytest.mark.slow
def test_entrypoint_migrates_then_runs_the_command(tmp_path, fresh_url):
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=fresh_url, PANTAU_DATA_DIR=str(tmp_path / "data"))
    first = run([str(ENTRYPOINT), "pantau", "db", "status"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert re.fullmatch(r"applied \d+ migration\(s\)", lines[0])
    assert lines[1].startswith("database: ")
    assert re.fullmatch(r"0001_initial: 20\d\d-.+", lines[2])  # applied before `db status` ran
    again = run([str(ENTRYPOINT), "pantau", "db", "status"], env, tmp_path)
    assert again.stdout.splitlines()[0] == "schema is up to date"


@pytest.mark.slow
def test_entrypoint_can_skip_migrating(tmp_path, fresh_url):
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=fresh_url, PANTAU_MIGRATE_ON_START="0")
    result = run([str(ENTRYPOINT), "pantau", "db", "status"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0001_initial: pending" in result.stdout


@pytest.mark.slow
def test_entrypoint_stops_with_one_line_when_the_database_is_down(tmp_path):
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=DOWN_URL)
    result = run([str(ENTRYPOINT), "pantau", "db", "status"], env, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # the command never ran
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("pantau: error: cannot reach PostgreSQL at 127.0.0.1:1/pantau")
    assert "not-the-password" not in result.stderr


def health_command() -> list[str]:
    """The command line of the Dockerfile's HEALTHCHECK (also the compose daemon's health check)."""
    return exec_form(instruction("HEALTHCHECK").split(" CMD ", 1)[1])


@pytest.mark.slow
def test_health_check_follows_the_database_and_the_daemons_heartbeat(tmp_path, fresh_url):
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=fresh_url)
    no_daemon = run(health_command(), env, tmp_path)
    assert no_daemon.returncode == 1
    assert no_daemon.stdout.startswith("unhealthy: no daemon is running")
    with psycopg.connect(fresh_url, autocommit=True) as conn:  # a beat, as a running daemon records it
        now = datetime.now(UTC)
        status.beat(conn, "test:1:0", "test", 1, now, now)
    healthy = run(health_command(), env, tmp_path)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.count("\n") == 1
    down = run(health_command(), clean_env(tmp_path, PANTAU_DATABASE_URL=DOWN_URL), tmp_path)
    assert down.returncode == 1
    assert down.stdout.startswith("unhealthy: cannot reach PostgreSQL at 127.0.0.1:1/pantau")
    assert down.stdout.count("\n") == 1


def test_dockerfile_runs_what_the_tests_run():
    assert instruction("FROM") == "python:3.11-slim"
    assert instruction("USER") == "pantau"
    assert exec_form(instruction("ENTRYPOINT")) == ["pantau-entrypoint"]
    assert exec_form(instruction("CMD")) == ["pantau", "run"]
    assert health_command() == ["pantau", "status", "--check"]
    assert "install -m 0755 /src/deploy/entrypoint.sh /usr/local/bin/pantau-entrypoint" in DOCKERFILE
    assert "PANTAU_DATA_DIR=/data" in instruction("ENV")
    assert exec_form(instruction("VOLUME")) == ["/data"]


def test_dockerignore_keeps_secrets_and_the_venv_out_of_the_build():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "*.env", "pantau.toml"} <= set(ignored)
    assert "deploy" not in ignored  # the entrypoint is copied from it


def test_compose_runs_postgres_the_daemon_and_the_web_view():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "pantau", "web"}
    assert set(COMPOSE["volumes"]) == {"postgres-data", "pantau-data"}
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert services["pantau"]["command"] == ["pantau", "run"]
    assert services["web"]["command"] == ["pantau", "serve", "--host", "0.0.0.0"]
    assert services["pantau"]["healthcheck"]["test"] == ["CMD", "pantau", "status", "--check"]
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][0] == "CMD", name
    for name in ("pantau", "web"):
        assert services[name]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert "pantau-data:/data" in services[name]["volumes"]
    # Longer than docker's default 10 s, so the daemon can stop its crawl.
    assert services["pantau"]["stop_grace_period"] == "90s"


def test_compose_builds_the_database_url_from_the_postgres_service_and_commits_no_secret():
    postgres = COMPOSE["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    for name in ("pantau", "web"):
        url = COMPOSE["services"][name]["environment"]["PANTAU_DATABASE_URL"]
        assert "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" in url
        params = conninfo.conninfo_to_dict(url.replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "pw"))
        assert params["host"] == "postgres"
        assert params["user"] == postgres["POSTGRES_USER"]
        assert params["dbname"] == postgres["POSTGRES_DB"]
        assert COMPOSE["services"][name]["env_file"] == [{"path": "pantau.env", "required": False}]


def test_the_env_file_example_holds_no_value():
    lines = (DEPLOY / "pantau.env.example").read_text().splitlines()
    assert all(line.startswith("#") or not line.strip() for line in lines)
    assert any(line.startswith("# PANTAU_DATABASE_URL=") for line in lines)
    assert any(line.startswith("# PANTAU_SMTP_URL=") for line in lines)


@pytest.mark.parametrize("service", ["pantau", "web"])
def test_compose_commands_are_real_pantau_commands(tmp_path, service):
    command = COMPOSE["services"][service]["command"]
    words = [word for word in command if not word.startswith("-") and word != "0.0.0.0"]
    helped = run([*words, "--help"], clean_env(tmp_path), tmp_path)
    assert helped.returncode == 0, helped.stderr
    for option in (word for word in command if word.startswith("--")):
        assert option in helped.stdout
