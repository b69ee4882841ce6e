"""Hostile input, the security half of the suite: scraped HTML in the web view, SQL built only from
placeholders, secrets never printed. (Headers: test_digest_faults.py s30; hosts: test_http_faults.py.)"""

from __future__ import annotations

import ast
import hashlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from pantau.base.settings import load_settings
from pantau.storage.db import Database
from pantau.web.app import create_app
from tests.support.daemons import environment
from tests.support.helpers import ROOT, run_pantau

# Starlette's TestClient runs the app in-process over httpx and warns (at import) that it would
# rather have httpx2, which is not installed here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning, for this import only
    from starlette.testclient import TestClient
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated")

HOSTILE_TITLE = 'Rudal "><svg onload=alert(1)> <script>alert(2)</script> Korut'
HOSTILE_BODY = (
    "Korea Utara dan Rusia <img src=x onerror=alert(3)> rudal rahasia </textarea><script>x()</script>"
)
CODE_DIRS = ("crawler", "pipelines", "storage", "scheduler", "pantau")


@pytest.fixture(scope="module")
def hostile(db: Database) -> int:
    """One stored story made of markup, with a javascript: link."""
    with db.connection() as conn:
        row = conn.execute(
            """INSERT INTO articles (site, site_article_id, canonical_url, url, title, body, published_at,
                   language, content_hash, simhash)
               VALUES ('detik', 'h1', 'javascript:alert(4)', 'javascript:alert(4)',
                       %s, %s, now(), 'id', %s, 1)
               RETURNING id""",
            (HOSTILE_TITLE, HOSTILE_BODY, hashlib.sha256(HOSTILE_BODY.encode()).hexdigest()),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="module")
def client(db: Database, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = load_settings(None, database_url=database_url, data_dir=tmp_path_factory.mktemp("web"))
    with TestClient(create_app(db, settings)) as running:
        yield running


@pytest.mark.parametrize("path", ["/?q=rahasia", "/articles/{id}"])
def test_scraped_markup_is_escaped_and_unsafe_links_dropped_in_the_web_view(client, hostile, path):
    page = client.get(path.format(id=hostile))
    assert page.status_code == 200
    text = page.text
    for raw in ("<script>alert", "<svg onload", "<img src=x", "</textarea><script>"):
        assert raw not in text
    assert "&lt;script&gt;" in text
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", text, re.I)  # never a link


def test_the_json_api_returns_scraped_text_as_data(client, hostile):
    story = client.get(f"/api/articles/{hostile}")
    assert story.status_code == 200
    assert story.headers["content-type"].startswith("application/json")
    assert story.json()["title"] == HOSTILE_TITLE  # stored plain, escaped only where shown as HTML


def _sql_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if called and node.func.attr in ("execute", "executemany", "copy", "stream") and node.args:  # type: ignore[attr-defined]
            yield node  # type: ignore[misc]


def _built_from_values(arg: ast.expr) -> bool:
    """True for f-strings, `%`/`+` on a string literal, and "...".format(...): SQL built from values."""
    if isinstance(arg, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in arg.values)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod | ast.Add):
        return isinstance(arg.left, ast.Constant | ast.JoinedStr) or _built_from_values(arg.left)
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format":
        return isinstance(arg.func.value, ast.Constant)  # sql.SQL("...").format(...) is composition
    return False


def test_sql_is_only_ever_built_from_placeholders_outside_storage_queries():
    offenders = []
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "queries" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for call in _sql_calls(tree):
                if _built_from_values(call.args[0]):
                    offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert offenders == []


def test_the_sql_check_would_catch_each_way_of_building_sql():
    bad = [
        'conn.execute(f"SELECT * FROM articles WHERE id = {article_id}")',
        'conn.execute("SELECT * FROM articles WHERE id = %s" % article_id)',
        'conn.execute("SELECT * FROM articles WHERE title = \'" + title + "\'")',
        'cur.executemany("DELETE FROM {} WHERE id = %s".format(table), rows)',
    ]
    good = [
        'conn.execute(q.GET_ARTICLE, {"id": article_id})',
        'conn.execute("SELECT 1 WHERE %s", (x,))',
        'conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))',
        'conn.execute(f"SELECT 1")',
    ]
    assert [any(_built_from_values(c.args[0]) for c in _sql_calls(ast.parse(src))) for src in bad] == [
        True
    ] * 4
    assert [any(_built_from_values(c.args[0]) for c in _sql_calls(ast.parse(src))) for src in good] == [
        False
    ] * 4


SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize("args", [("config", "show"), ("status", "--check"), ("db", "status")])
def test_secrets_never_reach_the_output(tmp_path: Path, args: tuple[str, ...]):
    config = tmp_path / "pantau.toml"
    config.write_text("[crawl]\nsites = []\n", encoding="utf-8")
    env = environment(config, f"postgresql://pantau:{SECRET}@127.0.0.1:1/pantau?connect_timeout=1", tmp_path)
    env["PANTAU_SMTP_URL"] = f"smtps://mailer:{SECRET}@127.0.0.1:2465"
    result = run_pantau(*args, env=env)
    assert SECRET not in result.stdout + result.stderr
    assert result.stdout + result.stderr  # it did say something (an error naming the server, or the config)
