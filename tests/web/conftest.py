"""Fixtures of the web tests: the web view served on loopback over the seeded archive."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.web import serve_web


@pytest.fixture(scope="module")
def web_url(db, archive, tmp_path_factory) -> Iterator[str]:
    """The web view served by uvicorn on a free loopback port, in a thread, for this module."""
    with serve_web(db, tmp_path_factory.mktemp("web")) as url:
        yield url
