"""A loopback HTTP server that logs every request it receives (the crawl runner's and extensions' tests).

Generic on purpose; `loopback` is its fixture, nothing here is autouse.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

PAGE = b"<html><head><title>ok</title></head><body><p>ok</p></body></html>"


class LoopbackServer:
    """An HTTP server on 127.0.0.1 with one route per behaviour, and a log of the requests it saw.

    Routes: /ok (a small page), /slow?s=0.2 (the page after a delay), /hang (never answers until
    the server stops), /status?n=503, anything else 404.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.released = threading.Event()  # frees /hang handlers at shutdown
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.record(self.path)
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path == "/hang":
                    server.released.wait()
                    return
                if parts.path == "/slow":
                    server.released.wait(float(query.get("s", ["0.2"])[0]))
                if parts.path in ("/ok", "/slow"):
                    self._answer(200, PAGE)
                elif parts.path == "/status":
                    self._answer(int(query.get("n", ["500"])[0]), b"status")
                else:
                    self._answer(404, b"not found")

            def _answer(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the request log above is what tests read

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        with self._lock:
            return list(self.requests)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A fresh loopback HTTP server for one test."""
    server = LoopbackServer().start()
    yield server
    server.stop()
