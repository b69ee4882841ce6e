"""The web view served for a test: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from pantau.base.settings import load_settings
from pantau.storage.db import Database
from pantau.web.app import create_app
from tests.support.helpers import wait_for


@contextmanager
def serve_web(db: Database, data_dir: Path) -> Iterator[str]:
    """Serve `pantau serve`'s application over `db`; yields its base URL and stops it on exit."""
    settings = load_settings(None, data_dir=data_dir)
    server = uvicorn.Server(uvicorn.Config(create_app(db, settings), log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "uvicorn stopped while starting"
        return bool(server.started)

    try:
        wait_for(started, 10, "uvicorn to start", interval=0.01)
        host, port = sock.getsockname()
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
