"""The `pantau` command end to end, as a user runs it: in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.database import create_database
from tests.support.helpers import run_pantau


def test_help_lists_every_subcommand_with_its_whole_line():
    from pantau.cli.main import cli

    result = run_pantau("--help")
    assert result.returncode == 0
    listed = result.stdout.split("Commands:")[1]
    for name, command in cli.commands.items():
        assert f"  {name}  " in listed
        assert command.help, f"{name} has no help line"
    assert "..." not in listed


@pytest.mark.slow
def test_db_migrate_and_status_on_the_embedded_database(tmp_path):
    first = run_pantau("db", "migrate", home=tmp_path, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied 1 migration" in first.stdout or "applied" in first.stdout
    assert (tmp_path / "data" / "pantau" / "pgdata" / "PG_VERSION").is_file()
    second = run_pantau("db", "status", home=tmp_path, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "embedded" in second.stdout
    assert "0001_initial: 20" in second.stdout
    again = run_pantau("db", "migrate", home=tmp_path, cwd=tmp_path)
    assert "schema is up to date" in again.stdout


def test_db_migrate_and_status_against_a_url(tmp_path, pg_admin_url):
    url = create_database(pg_admin_url, "t_cli_by_url")
    assert run_pantau("db", "migrate", database_url=url, home=tmp_path, cwd=tmp_path).returncode == 0
    status = run_pantau("db", "status", database_url=url, home=tmp_path, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "embedded" not in status.stdout
    assert "0001_initial: 20" in status.stdout
    assert not (tmp_path / "data" / "pantau" / "pgdata").exists()


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        ("nosuchkey = 1\n", {}, "unknown key 'nosuchkey'"),
        ("[crawl]\nmax_pages = 'many'\n", {}, "'crawl.max_pages'"),
        (
            "",
            {"PANTAU_DATABASE_URL": "postgresql://pantau:s3cret@127.0.0.1:9/pantau"},
            "cannot reach PostgreSQL",
        ),
    ],
)
def test_bad_configuration_one_line_exit_2(tmp_path, config, env, expected):
    path = Path(tmp_path / "pantau.toml")
    path.write_text(config)
    result = run_pantau("--config", str(path), "db", "status", home=tmp_path, cwd=tmp_path, **env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("pantau: error:")]
    assert len(lines) == 1
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


def test_config_show_masks_secrets(tmp_path):
    result = run_pantau(
        "config", "show", smtp_url="smtps://me:topsecret@127.0.0.1", home=tmp_path, cwd=tmp_path
    )
    assert result.returncode == 0
    assert "topsecret" not in result.stdout
    assert 'smtp_url = "********"' in result.stdout
