"""The web view served for a test: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from pantau.storage.db import Database


@contextmanager
def serve_web(db: Database, data_dir: Path) -> Iterator[str]:
    """Serve `pantau serve`'s application over `db`; yields its base URL, stops it on exit."""
    from pantau.base.settings import load_settings
    from pantau.web.app import create_app

    settings = load_settings(None, data_dir=data_dir)
    server = uvicorn.Server(uvicorn.Config(create_app(db, settings), log_level="warning", lifespan="off"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        assert thread.is_alive(), "uvicorn stopped while starting"
        time.sleep(0.01)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
