"""Fixtures of the web tests: the web view served on loopback over the seeded archive."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from pantau.base.settings import Settings, load_settings
from pantau.storage.db import Database
from pantau.web.app import create_app
from tests.support.helpers import wait_for


@contextmanager
def serving(db: Database, settings: Settings) -> Iterator[str]:
    """The web view served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(db, settings), log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "uvicorn stopped while starting"
        return bool(server.started)

    wait_for(started, 10, "uvicorn to start", interval=0.01)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def web_url(db, archive, tmp_path_factory) -> Iterator[str]:
    """The web view over the seeded archive, for this module."""
    with serving(db, load_settings(None, data_dir=tmp_path_factory.mktemp("web"))) as url:
        yield url
