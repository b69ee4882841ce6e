"""Fixtures of the web tests: the web view served on loopback over the seeded archive."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.web import serve_web


@pytest.fixture(scope="module")
def web_url(db, archive, tmp_path_factory) -> Iterator[str]:
    """The web view served by uvicorn on a free loopback port, in a thread, for this module."""
    with serve_web(db, tmp_path_factory.mktemp("web")) as url:
        yield url


@pytest.fixture(scope="module")
def client(web_url: str) -> Iterator[httpx.Client]:
    """An HTTP client of the module's web view."""
    with httpx.Client(base_url=web_url, timeout=10) as http:
        yield http
