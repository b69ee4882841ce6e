"""No password given through the configuration ever appears in pantau's output, at any log level.

Real commands run as subprocesses with PANTAU_DATABASE_URL and PANTAU_SMTP_URL carrying passwords,
against a server that cannot be reached, one reached over TCP (through a proxy to the session's
PostgreSQL, which trusts local connections and so accepts any password), and one reached by socket.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.support.deploy import DEPLOY, clean_env, run
from tests.support.proxy import TcpProxy

pytestmark = pytest.mark.slow  # the deploy commands as subprocesses against a database

DB_PASSWORD = "Db-Pa55word:with@signs/and"
SMTP_PASSWORD = "Smtp-Pa55word"
SMTP_URL = f"smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:1"
COMMANDS = [
    ["pantau", "--log-level", "DEBUG", "db", "status"],
    ["pantau", "--log-level", "DEBUG", "db", "migrate"],
    ["pantau", "config", "show"],
    ["pantau", "config", "show", "--json"],
    [str(DEPLOY / "entrypoint.sh"), "pantau", "--log-level", "DEBUG", "db", "status"],
]


def with_password(url: str) -> str:
    """`url` (postgresql://user@... or postgresql://user:@...) with DB_PASSWORD in it, percent-encoded."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user.rstrip(':')}:{quote(DB_PASSWORD, safe='')}@{host}"


def assert_no_secret(output: str) -> None:
    for secret in (DB_PASSWORD, quote(DB_PASSWORD, safe=""), SMTP_PASSWORD):
        assert secret not in output


@pytest.fixture(scope="module")
def proxy(database_url):
    with TcpProxy.for_database(database_url) as running:
        yield running


@pytest.fixture(params=["tcp", "socket"])
def reachable_url(request, proxy, database_url):
    return with_password(proxy.url(database_url) if request.param == "tcp" else database_url)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[-2:]))
def test_reachable_server(tmp_path, reachable_url, command):
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=reachable_url, PANTAU_SMTP_URL=SMTP_URL)
    result = run(command, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert_no_secret(result.stdout + result.stderr)
    if "status" in command:
        assert "0001_initial: 20" in result.stdout


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://pantau:{quote(DB_PASSWORD, safe='')}@127.0.0.1:1/pantau",
        f"host=127.0.0.1 port=1 user=pantau dbname=pantau password='{DB_PASSWORD}'",
    ],
    ids=["url", "conninfo"],
)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[-2:]))
def test_unreachable_server(tmp_path, url, command):
    env = clean_env(tmp_path, PANTAU_DATABASE_URL=url, PANTAU_SMTP_URL=SMTP_URL)
    result = run(command, env, tmp_path)
    assert_no_secret(result.stdout + result.stderr)
    if "config" in command:
        assert result.returncode == 0
        assert "********" in result.stdout  # shown masked, not left out
    else:
        assert result.returncode == 2
        assert "pantau: error: cannot reach PostgreSQL at 127.0.0.1:1/pantau" in result.stderr
