"""Fixtures of the web tests: the web view served on loopback over the seeded archive."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from pantau.base.settings import load_settings
from pantau.web.app import create_app
from tests.support.helpers import wait_for


@pytest.fixture(scope="module")
def web_url(db, archive, tmp_path_factory) -> Iterator[str]:
    """The web view served by uvicorn on a free loopback port, in a thread, for this module."""
    settings = load_settings(None, data_dir=tmp_path_factory.mktemp("web"))
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
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
