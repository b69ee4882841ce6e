"""The replay world with faults at chosen URLs: one fault kind per route, as Scrapy's mockserver has.

The spiders reach only the sites' hosts (crawl.host_map), so a fault sits at a site path: a story
of the world (listed like any other) whose article page misbehaves, a listing with extra links, or
a robots.txt. `FaultServer.faults["<host><path>"] = Fault(kind, ...)`; every other request is the
replay world's ordinary answer. Kinds (what the route does):

    status       answers `status` every time (e.g. 503)
    flaky        `status` for the first `times` requests, then the ordinary page
    retry_after  429 with `Retry-After: <seconds>` for the first `times` requests, then the page
    delay        waits `seconds` before the status line (a hang before headers), then the page
    stall        headers and half the body, waits `seconds` (a hang after headers), then the rest
    drop         headers (Content-Length) and half the body, then the connection is cut
    partial      Content-Length larger than the body sent, then the connection is closed
    payload      `size` bytes of HTML streamed without Content-Length (50 MiB by default)
    gzip_bomb    `size` bytes of spaces gzip-compressed (multi-member, ~1 KiB per MiB), streamed
    redirect     `status` (302) to `location`
    body         `body` bytes with `headers` (PDF, image, malformed, charsets, pathological DOMs)
    inject       the ordinary page with `body` inserted before `</body>` (extra links on a listing)
    hang         never answers (until the server stops)
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.replay.render import Reply, respond
from tests.support.replay.server import Logged, ReplayHTTPServer, _Handler, serve
from tests.support.replay.world import World

MIB = 1024 * 1024
_SPACES_MEMBER = zlib.compress(b" " * MIB, 9, wbits=31)  # one gzip member: 1 MiB of spaces, ~1 KiB


@dataclass
class Fault:
    """What one route does (see the module docstring); `served` counts the requests it answered."""

    kind: str
    status: int = 503
    times: int = 0
    seconds: float = 0.0
    location: str = ""
    size: int = 50 * MIB
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    served: int = 0


class _FaultHandler(_Handler):
    server: FaultServer

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        with self.server.lock:
            fault = self.server.faults.get(f"{host}{parts.path}")
            if fault is not None:
                fault.served += 1
        if fault is None or not self._play(fault, host, parts.path, parts.query):
            super().do_GET()

    def _play(self, fault: Fault, host: str, path: str, query: str) -> bool:
        """Answer as the fault says; False to answer with the ordinary page instead."""
        kind = fault.kind
        if kind in ("flaky", "retry_after") and fault.served > fault.times:
            return False
        if kind == "delay":
            self.server.released.wait(fault.seconds)
            return False
        status = {"status": fault.status, "flaky": fault.status, "redirect": fault.status, "retry_after": 429}
        self._log(host, path, query, status.get(kind, 200))
        if kind == "hang":
            self.server.released.wait()
            self.close_connection = True
        elif kind in ("status", "flaky"):
            self._send(fault.status, b"<html><body>Service Unavailable</body></html>", {})
        elif kind == "retry_after":
            self._send(429, b"slow down", {"Retry-After": f"{fault.seconds:g}"})
        elif kind == "redirect":
            self._send(fault.status, b"", {"Location": fault.location})
        elif kind == "body":
            self._send(200, fault.body, fault.headers)
        elif kind == "inject":
            page = self._ordinary(host, path, query)
            self._send(page.status, page.body.replace(b"</body>", fault.body + b"</body>"), page.headers)
        else:
            self._stream(fault, self._ordinary(host, path, query))
        return True

    def _ordinary(self, host: str, path: str, query: str) -> Reply:
        with self.server.lock:
            return respond(self.server.world, host, path, query, {})

    def _stream(self, fault: Fault, page: Reply) -> None:
        """The faults that misbehave mid-body: stall, drop, partial, payload, gzip_bomb."""
        half = len(page.body) // 2
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        if fault.kind in ("stall", "drop"):
            self.send_header("Content-Length", str(len(page.body)))
        elif fault.kind == "partial":
            self.send_header("Content-Length", str(len(page.body) + 4096))
        elif fault.kind == "gzip_bomb":
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        try:
            if fault.kind == "stall":
                self.wfile.write(page.body[:half])
                self.wfile.flush()
                self.server.released.wait(fault.seconds)
                self.wfile.write(page.body[half:])
            elif fault.kind == "drop":
                self.wfile.write(page.body[:half])
            elif fault.kind == "partial":
                self.wfile.write(page.body)
            elif fault.kind == "payload":
                self._write_many(b"<html><body>" + b"<p>x</p>" * (MIB // 8), fault.size // MIB)
            else:
                self._write_many(_SPACES_MEMBER, fault.size // MIB)
        except OSError:
            pass  # the client gave up (as it should, at DOWNLOAD_MAXSIZE)

    def _write_many(self, chunk: bytes, times: int) -> None:
        for _ in range(times):
            self.wfile.write(chunk)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _log(self, host: str, path: str, query: str, status: int) -> None:
        ua = self.headers.get("User-Agent", "")
        with self.server.lock:
            self.server.log.append(Logged(host, path, query, status, None, None, ua, time.monotonic()))


class FaultServer(ReplayHTTPServer):
    """The replay server (world, request log, host map) answering the routes in `faults` with faults."""

    def __init__(self, world: World) -> None:
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", 0), _FaultHandler)
        self.world = world
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.faults: dict[str, Fault] = {}
        self.released = threading.Event()  # frees hanging handlers at shutdown
        self.closed_hosts: dict[str, int] = {}  # host -> a closed loopback port (connection refused)

    def host_map(self) -> dict[str, str]:
        """The replay host map, with `closed_hosts` sent to their closed ports."""
        mapped = super().host_map()
        mapped.update({host: f"127.0.0.1:{port}" for host, port in self.closed_hosts.items()})
        return mapped

    def shutdown(self) -> None:
        """Release hanging handlers first, so closing the server does not wait for them."""
        self.released.set()
        super().shutdown()


def serve_faults(world: World) -> AbstractContextManager[FaultServer]:
    """Run a fault server for `world` in a thread; hanging handlers are released on exit."""
    return serve(world, FaultServer)


class Sentinel(ThreadingHTTPServer):
    """An HTTP server on another loopback address (127.0.0.2) that must never be asked anything."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.2") -> None:
        from http.server import BaseHTTPRequestHandler

        hits = self.hits = []  # type: list[str]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__((host, 0), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


@contextmanager
def sentinel() -> Iterator[Sentinel]:
    """A running sentinel on 127.0.0.2; its `hits` list records every request it received."""
    server = Sentinel()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
