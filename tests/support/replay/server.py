"""The loopback HTTP server of the replay world, with a log of every request it answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar
from urllib.parse import urlsplit

from tests.support.replay.render import respond, site_of
from tests.support.replay.world import World

HOSTS = [
    "www.okezone.com",
    "news.okezone.com",
    "celebrity.okezone.com",
    "www.detik.com",
    "news.detik.com",
    "m.detik.com",
    "sport.detik.com",
    "20.detik.com",
    "www.bisnis.com",
    "kabar24.bisnis.com",
    "m.bisnis.com",
    "video.bisnis.com",
    "www.kompas.com",
    "news.kompas.com",
    "indeks.kompas.com",
    "amp.kompas.com",
    "bola.kompas.com",
    "search.kompas.com",
    "search.bisnis.com",
]


@dataclass(frozen=True)
class Logged:
    """One request the server answered."""

    host: str
    path: str
    query: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str
    at: float

    @property
    def target(self) -> str:
        return f"{self.host}{self.path}" + (f"?{self.query}" if self.query else "")


class _Handler(BaseHTTPRequestHandler):
    server: ReplayHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # a stuck client cannot hold a thread forever

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.server.lock:
            reply = respond(self.server.world, host, parts.path, parts.query, headers)
            self.server.log.append(
                Logged(
                    host,
                    parts.path,
                    parts.query,
                    reply.status,
                    headers.get("if-none-match"),
                    headers.get("if-modified-since"),
                    headers.get("user-agent", ""),
                    time.monotonic(),
                )
            )
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class ReplayHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer on 127.0.0.1 holding the world and the request log."""

    daemon_threads = True
    request_queue_size = 32

    def __init__(self, world: World) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.world = world
        self.log: list[Logged] = []
        self.lock = threading.Lock()

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"

    def host_map(self) -> dict[str, str]:
        """crawl.host_map sending every replayed host here."""
        return dict.fromkeys(HOSTS, self.address)

    def requests(self, site: str | None = None) -> list[Logged]:
        """A copy of the log, optionally only one site's hosts."""
        with self.lock:
            return [r for r in self.log if site is None or site_of(r.host) == site]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()


S = TypeVar("S", bound="ReplayHTTPServer")


@contextmanager
def serve(world: World, server_class: Callable[[World], S] = ReplayHTTPServer) -> Iterator[S]:
    """Run a replay server (or a subclass) for `world` in a thread; stopped and closed on exit."""
    server = server_class(world)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
