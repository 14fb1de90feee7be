"""The sandbox's HTTP server: werkzeug's threaded server, held against a hostile client.

- A socket read that waits longer than ``request_timeout_s`` (default 30 s) drops the
  connection: a client that stalls mid-request (headers or body), or never finishes a TLS
  handshake, holds its thread no longer than that.
- At most ``max_connections`` connections are served at once; one more is answered 503
  ``too_many_connections`` and closed, without a thread of its own.
- With TLS, the handshake happens on the connection's own thread under the same timeout,
  not in the accepting loop, where one silent client would stop the whole server.

- Once the application has answered, the server reads and discards at most
  ``LINGER_BYTES`` more of what the client still sends (werkzeug drains the rest of a
  refused body so that the client sees the 413 rather than a reset, but would read up to
  10 GB, 10 MB at a time).

Body limits are the application's (server.py), enforced while the body is read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from sandbox.server import CONNECTION_INPUT, SandboxApp, masked_path

log = logging.getLogger("bifoga.sandbox")

#: docs/protocol.md 1.1: a client that stalls mid-request is dropped after at most 30 seconds.
DEFAULT_REQUEST_TIMEOUT_S = 30.0
#: The sandbox serves a handful of clients; a flood gets 503 instead of a thread each.
DEFAULT_MAX_CONNECTIONS = 64
#: What is read and thrown away after the answer, at most, before the connection closes.
LINGER_BYTES = 1024 * 1024
_LINGER_READ = 64 * 1024

_BUSY_BODY = json.dumps(
    {"errors": [{"code": "too_many_connections", "message": "The gateway is busy; try again."}]}
).encode()
_BUSY_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n"
    + f"Content-Length: {len(_BUSY_BODY)}\r\n\r\n".encode()
    + _BUSY_BODY
)


class _RequestHandler(WSGIRequestHandler):
    """Request lines go to our logger with identifiers masked (an inbox URL holds one);
    every socket read waits at most the server's request timeout."""

    server: GuardedWSGIServer

    def setup(self) -> None:
        super().setup()
        # Every later read and write on this connection, the TLS handshake included.
        self.connection.settimeout(self.server.request_timeout_s)
        # Duck-typed: werkzeug and http.server call read, readline and read1 only.
        self.rfile = _ConnectionInput(self.rfile)  # type: ignore[assignment]

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[CONNECTION_INPUT] = self.rfile
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s -> %s", self.command, masked_path(self.path), code)

    def log_error(self, format: str, *args: Any) -> None:
        log.warning("http: " + format, *args)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        log.info("connection dropped: %s", type(error).__name__)


class GuardedWSGIServer(ThreadedWSGIServer):
    def __init__(
        self,
        host: str,
        port: int,
        app: SandboxApp,
        *,
        ssl_context: ssl.SSLContext | None,
        fd: int | None,
        request_timeout_s: float,
        max_connections: int,
    ) -> None:
        if request_timeout_s <= 0 or max_connections < 1:
            raise ValueError("the request timeout and the connection cap must be positive")
        super().__init__(host, port, app, handler=_RequestHandler, fd=fd)
        self.request_timeout_s = request_timeout_s
        self.max_connections = max_connections
        self._open = 0
        self._changed = threading.Condition()
        if ssl_context is not None:
            # werkzeug's own wrapping shakes hands inside accept(), on the serving loop.
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )
            self.ssl_context = ssl_context

    @property
    def open_connections(self) -> int:
        with self._changed:
            return self._open

    def wait_for_open_connections(self, count: int, timeout: float) -> bool:
        """Wait until exactly ``count`` connections are being served; False if that took
        longer than ``timeout`` (for tests, which wait on the server, never sleep)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._open == count, timeout)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._changed:
            full = self._open >= self.max_connections
            if not full:
                self._open += 1
                self._changed.notify_all()
        if full:
            log.warning("connection refused: %d connections open", self.max_connections)
            _answer_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)  # starts the thread
        except BaseException:
            self._closed_one()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._closed_one()

    def _closed_one(self) -> None:
        with self._changed:
            self._open -= 1
            self._changed.notify_all()


class _ConnectionInput:
    """The connection's buffered reader, which reads at most ``LINGER_BYTES`` in all, in
    small reads, once :meth:`stop_reading` has been called (the app has answered)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._left: int | None = None

    def stop_reading(self) -> None:
        self._left = LINGER_BYTES

    def read(self, size: int = -1) -> bytes:
        if self._left is None:
            return bytes(self._reader.read(size))
        if self._left <= 0:
            return b""
        wanted = _LINGER_READ if size is None or size < 0 else min(size, _LINGER_READ)
        data = bytes(self._reader.read1(min(wanted, self._left)))
        self._left -= len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return bytes(self._reader.readline(size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def _answer_busy(connection: socket.socket) -> None:
    """A 503 written without waiting: a fresh socket's send buffer takes it. A TLS
    connection is closed without one, since answering would mean a handshake here."""
    if isinstance(connection, ssl.SSLSocket):
        return
    with contextlib.suppress(OSError):
        connection.setblocking(False)
        connection.send(_BUSY_ANSWER)
