"""A stoppable TCP proxy on 127.0.0.1 in front of PostgreSQL (or any TCP/Unix-socket server).

For outage tests (as psycopg's tests/fix_proxy.py): point pantau at the proxy, then `stop()` it to
cut every connection and refuse new ones, and `start()` it again on the same port. The test
PostgreSQL listens on a Unix socket only; the proxy accepts TCP and forwards to that socket.
Threads: one accepting, two per connection; at most `max_connections` connections at a time.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from pathlib import Path
from types import TracebackType

from psycopg import conninfo

_CHUNK = 65536


def unix_socket_of(database_url: str) -> str:
    """The Unix socket path of a libpq URL whose `host` is a socket directory."""
    params = conninfo.conninfo_to_dict(database_url)
    host = str(params.get("host") or "")
    if not host.startswith("/"):
        raise ValueError(f"database URL has no Unix socket directory as host: {database_url}")
    return str(Path(host) / f".s.PGSQL.{params.get('port') or 5432}")


class TcpProxy:
    """Forward TCP connections on 127.0.0.1:`port` to `target` (a Unix socket path or (host, port))."""

    def __init__(self, target: str | tuple[str, int], *, max_connections: int = 32) -> None:
        self.target = target
        self.max_connections = max_connections
        self.port = 0
        self.accepted = 0
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    @classmethod
    def for_database(cls, database_url: str) -> TcpProxy:
        """A (not yet started) proxy to the Unix socket of this database URL."""
        return cls(unix_socket_of(database_url))

    def url(self, database_url: str) -> str:
        """The database URL that reaches `database_url`'s database through this proxy."""
        params = conninfo.conninfo_to_dict(database_url)
        user = params.get("user") or "postgres"
        return f"postgresql://{user}@127.0.0.1:{self.port}/{params.get('dbname') or 'postgres'}"

    def start(self) -> TcpProxy:
        """Listen (on the same port as before, after a stop) and forward new connections."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._spawn(self._accept_loop, listener)
        return self

    def stop(self) -> None:
        """Refuse new connections and cut every open one; returns when all threads have ended."""
        self._stopping.set()
        with self._lock:
            for sock in self._sockets:
                _close(sock)
            self._sockets.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._threads = [t for t in self._threads if t.is_alive()]

    def restart(self) -> None:
        """Stop, then start again on the same port."""
        self.stop()
        self.start()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _connect_target(self) -> socket.socket:
        if isinstance(self.target, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        upstream.settimeout(5)
        upstream.connect(self.target)
        upstream.settimeout(None)
        return upstream

    def _accept_loop(self, listener: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            while not self._stopping.is_set():
                if not selector.select(timeout=0.05):
                    continue
                client, _ = listener.accept()
                with self._lock:
                    full = len(self._sockets) >= 2 * self.max_connections
                if full or self._stopping.is_set():
                    _close(client)
                    continue
                self._open_pair(client)

    def _open_pair(self, client: socket.socket) -> None:
        try:
            upstream = self._connect_target()
        except OSError:
            _close(client)
            return
        with self._lock:
            self._sockets.update((client, upstream))
        self.accepted += 1
        self._spawn(self._pump, client, upstream)
        self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(_CHUNK):
                sink.sendall(data)
        except OSError:
            pass  # the other side (or stop()) closed the connection
        finally:
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected (any more)
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
