"""Environment mistakes through the real command: one line on stderr, exit 2, never the password."""

from __future__ import annotations

import pytest

from tests.support.helpers import run_pantau

SECRET = "hunter2pw"
BAD_URLS = [
    (f"mysql://root:{SECRET}@127.0.0.1/pantau", "is not a PostgreSQL URL (mysql://)"),
    (f"postgresql://u:{SECRET}@[::1/pantau", "cannot be read (end of string reached"),
    (f"host=db password={SECRET} dbname", 'cannot be read (missing "=" after "dbname"'),
]
# Every kind of command: schema, the container's health check, daemon state, a crawl, the daemon, search.
COMMANDS = [
    ("db", "status"),
    ("status", "--check"),
    ("status",),
    ("crawl", "detik"),
    ("run",),
    ("search", "rudal"),
]


def one_error_line(result) -> str:
    """The single `pantau: error:` line of a run that printed nothing else."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pantau: error: ")
    return lines[0]


@pytest.mark.parametrize(("url", "expected"), BAD_URLS)
def test_an_unusable_database_url_is_one_masked_line(tmp_path, url, expected):
    result = run_pantau("db", "status", home=tmp_path, cwd=tmp_path, database_url=url)
    line = one_error_line(result)
    assert expected in line
    assert "PANTAU_DATABASE_URL" in line
    assert SECRET not in result.stderr + result.stdout
    assert "***" in line
    assert "unset it to use the embedded database" in line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_refuses_a_bad_url_before_doing_anything(tmp_path, command):
    result = run_pantau(*command, home=tmp_path, cwd=tmp_path, database_url=BAD_URLS[0][0])
    assert "is not a PostgreSQL URL" in one_error_line(result)
    assert SECRET not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists()  # no embedded server was started instead


@pytest.mark.slow
def test_an_empty_database_url_means_the_embedded_database(tmp_path):
    result = run_pantau("db", "status", home=tmp_path, cwd=tmp_path, database_url="")
    assert result.returncode == 0, result.stderr
    assert "database: embedded" in result.stdout
    assert "embedded PostgreSQL is running" not in result.stderr  # DEBUG for an interactive command


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        ("PANTAU_CRAWL__INTERVAL", "did you mean PANTAU_CRAWL__INTERVAL_MINUTES?"),
        ("PANTAU_LOGLEVEL", "did you mean PANTAU_LOG_LEVEL?"),
        ("PANTAU_NOTHING_LIKE_IT", "remove it or check its spelling"),
    ],
)
def test_an_unknown_pantau_variable_is_named(tmp_path, variable, expected):
    result = run_pantau("db", "status", home=tmp_path, cwd=tmp_path, **{variable: "5"})
    line = one_error_line(result)
    assert f"unknown environment variable {variable};" in line
    assert expected in line
    assert "config" not in line.split(";")[0]  # not blamed on a config file


def test_known_variables_still_work(tmp_path):
    result = run_pantau(
        "config",
        "show",
        home=tmp_path,
        cwd=tmp_path,
        PANTAU_CRAWL__INTERVAL_MINUTES="5",
        PANTAU_CRAWL__HOST_MAP__example_com="127.0.0.1:9",
        PANTAU_MIGRATE_ON_START="0",
    )
    assert result.returncode == 0, result.stderr
    assert '"interval_minutes": 5.0' in result.stdout
    assert '"example_com": "127.0.0.1:9"' in result.stdout
