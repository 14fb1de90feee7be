"""The sandbox's HTTP server: werkzeug's threaded server, held against a hostile client.

- The limits of sandbox/limits.py: connections and requests in flight, in all and per
  client address, and a minimum data rate for the headers and the body. A connection over
  the cap is answered (503 in all, 429 from one address) and closed without a thread of
  its own; a client too slow is dropped (a body cut short is 400 ``incomplete_body``).
- With TLS, the handshake happens on the connection's own thread under the same limits,
  not in the accepting loop, where one silent client would stop the whole server.
- Once the application has answered, the server reads and discards at most
  ``LINGER_BYTES`` more of what the client still sends (werkzeug drains the rest of a
  refused body so that the client sees the 413 rather than a reset, but would read up to
  10 GB, 10 MB at a time).

Body limits are the application's (server.py), enforced while the body is read.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import ssl
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from sandbox.limits import (
    ADDRESS_BUSY,
    BUSY,
    Admission,
    InFlightLimit,
    Limits,
    PacedReader,
    Refusal,
)
from sandbox.server import CONNECTION_INPUT, SandboxApp, masked_path

log = logging.getLogger("bifoga.sandbox")

#: What is read and thrown away after the answer, at most, before the connection closes.
LINGER_BYTES = 1024 * 1024
_LINGER_READ = 64 * 1024
_READ_BUFFER = 64 * 1024


class _RequestHandler(WSGIRequestHandler):
    """Request lines go to our logger with identifiers masked (an inbox URL holds one);
    every socket read waits at most the server's request timeout."""

    server: GuardedWSGIServer

    def setup(self) -> None:
        super().setup()
        limits = self.server.limits
        # Every later write on this connection; reads are paced (limits.PacedReader).
        self.connection.settimeout(limits.request_timeout_s)
        self.rfile.close()  # the plain reader setup() made; nothing was read from it
        self._paced = PacedReader(self.connection, limits)
        # Duck-typed: werkzeug and http.server call read, readline and read1 only.
        self.rfile = _ConnectionInput(  # type: ignore[assignment]
            io.BufferedReader(self._paced, _READ_BUFFER)
        )

    def make_environ(self) -> dict[str, Any]:
        self._paced.start_body()  # the request line and headers have been read
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
        limits: Limits,
    ) -> None:
        self.limits = limits = limits.effective()
        self.in_flight = InFlightLimit(app, limits, _stop_reading)
        super().__init__(host, port, self.in_flight, handler=_RequestHandler, fd=fd)
        self.connections = Admission(
            limits.max_connections, limits.max_connections_per_address, BUSY, ADDRESS_BUSY
        )
        if ssl_context is not None:
            # werkzeug's own wrapping shakes hands inside accept(), on the serving loop.
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )
            self.ssl_context = ssl_context

    @property
    def open_connections(self) -> int:
        return self.connections.count

    def wait_for_open_connections(
        self, count: int, timeout: float, address: str | None = None
    ) -> bool:
        """Wait until exactly ``count`` connections (from ``address``, or in all) are
        being served; False if that took longer than ``timeout`` (for tests, which wait on
        the server, never sleep)."""
        return self.connections.wait_for(count, timeout, address)

    def process_request(self, request: Any, client_address: Any) -> None:
        address = str(client_address[0])
        refusal = self.connections.take(address)
        if refusal is not None:
            log.warning("connection refused: %s", refusal.status)
            _answer_at_once(request, refusal)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)  # starts the thread
        except BaseException:
            self.connections.give_back(address)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.give_back(str(client_address[0]))


def _stop_reading(environ: dict[str, Any]) -> None:
    connection_input = environ.get(CONNECTION_INPUT)
    if connection_input is not None:
        connection_input.stop_reading()


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


def _answer_at_once(connection: socket.socket, refusal: Refusal) -> None:
    """The refusal written without waiting: a fresh socket's send buffer takes it. A TLS
    connection is closed without one, since answering would mean a handshake here."""
    if isinstance(connection, ssl.SSLSocket):
        return
    with contextlib.suppress(OSError):
        connection.setblocking(False)
        connection.send(refusal.raw_answer())
