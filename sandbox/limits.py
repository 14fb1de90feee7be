"""What one client, and all of them together, may take of the sandbox (issue 21).

- **Connections**: at most ``max_connections`` served at once, and at most
  ``max_connections_per_address`` from one client address, so that one address (64 idle
  sockets used to shut everybody out) takes only its share.
- **Requests in flight** (headers read, the application working on them, an upload's
  body being read): at most ``max_in_flight`` in all and ``max_in_flight_per_address``
  from one address; what an upload holds (a temporary file, a thread) is bounded by it.
- **A minimum data rate**: the request line and headers must arrive within
  ``header_timeout_s`` of waiting, and a body at ``min_body_rate`` bytes a second on
  average after ``body_grace_s``, so a client trickling a byte every 20 s (which a
  per-read timeout alone never drops) is dropped. Only the time the server spends
  waiting for the client counts: while the application is busy and reads nothing, the
  client is not to blame. Every single read still waits at most ``request_timeout_s``.

The address is the connection's peer, as for the sign-in throttle (docs/gateway.md).
"""

from __future__ import annotations

import dataclasses
import io
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: docs/protocol.md 1.1: a client that stalls mid-request is dropped after at most 30 seconds.
DEFAULT_REQUEST_TIMEOUT_S = 30.0


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S
    max_connections: int = 64
    max_connections_per_address: int = 16
    max_in_flight: int = 32
    max_in_flight_per_address: int = 8
    #: Waiting for the request line and headers, in all (a TLS handshake included).
    header_timeout_s: float = 10.0
    #: Bytes a second a body must average once ``body_grace_s`` of waiting have passed.
    min_body_rate: float = 1024.0
    body_grace_s: float = 5.0

    def __post_init__(self) -> None:
        numbers = dataclasses.astuple(self)
        if any(n <= 0 for n in numbers):
            raise ValueError("every limit must be positive")

    def effective(self) -> Limits:
        """A per-address limit above the total means the total."""
        return dataclasses.replace(
            self,
            max_connections_per_address=min(self.max_connections_per_address, self.max_connections),
            max_in_flight=min(self.max_in_flight, self.max_connections),
            max_in_flight_per_address=min(
                self.max_in_flight_per_address,
                self.max_in_flight,
                self.max_connections_per_address,
            ),
        )


class Refusal:
    """A refused connection or request: its status line and JSON body."""

    def __init__(self, status: str, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()

    def raw_answer(self) -> bytes:
        """The whole HTTP answer, for a connection refused before it has a thread."""
        return (
            f"HTTP/1.1 {self.status}\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            f"Connection: close\r\nContent-Length: {len(self.body)}\r\n\r\n"
        ).encode() + self.body


BUSY = Refusal("503 Service Unavailable", "too_many_connections", "The gateway is busy; try again.")
ADDRESS_BUSY = Refusal(
    "429 Too Many Requests",
    "too_many_connections",
    "Too many connections from this address; try again.",
)
REQUESTS_BUSY = Refusal(
    "503 Service Unavailable", "too_many_requests", "The gateway is busy; try again."
)
ADDRESS_REQUESTS_BUSY = Refusal(
    "429 Too Many Requests",
    "too_many_requests",
    "Too many requests in progress from this address; try again.",
)


class Admission:
    """Counts what is taken, in all and per address, under one lock."""

    def __init__(self, total: int, per_address: int, full: Refusal, address_full: Refusal):
        self._total = total
        self._per_address = per_address
        self._full = full
        self._address_full = address_full
        self._taken: Counter[str] = Counter()
        self._count = 0
        self._changed = threading.Condition()

    def take(self, address: str) -> Refusal | None:
        """None when admitted (give it back with :meth:`give_back`), else the refusal."""
        with self._changed:
            if self._count >= self._total:
                return self._full
            if self._taken[address] >= self._per_address:
                return self._address_full
            self._count += 1
            self._taken[address] += 1
            self._changed.notify_all()
            return None

    def give_back(self, address: str) -> None:
        with self._changed:
            self._count -= 1
            self._taken[address] -= 1
            if not self._taken[address]:
                del self._taken[address]
            self._changed.notify_all()

    @property
    def count(self) -> int:
        with self._changed:
            return self._count

    def wait_for(self, count: int, timeout: float, address: str | None = None) -> bool:
        """Wait until exactly ``count`` are taken (from ``address``, or in all)."""

        def reached() -> bool:
            return (self._count if address is None else self._taken[address]) == count

        with self._changed:
            return self._changed.wait_for(reached, timeout)


class PacedReader(io.RawIOBase):
    """The connection's reads, each given only the wait the client has left.

    In the header phase the waits add up to at most ``header_timeout_s``; in the body
    phase to at most ``body_grace_s`` plus one second for each ``min_body_rate`` bytes
    received. A read that would need longer raises TimeoutError, as a stall does.
    """

    def __init__(self, connection: socket.socket, limits: Limits) -> None:
        super().__init__()
        self._connection = connection
        self._limits = limits
        self._in_body = False
        self._waited = 0.0
        self._received = 0

    def readable(self) -> bool:
        return True

    def start_body(self) -> None:
        """The headers are read: from now on the body's rate counts."""
        self._in_body = True
        self._waited = 0.0
        self._received = 0

    def _wait_left(self) -> float:
        limits = self._limits
        if self._in_body:
            allowed = limits.body_grace_s + self._received / limits.min_body_rate
        else:
            allowed = limits.header_timeout_s
        return min(allowed - self._waited, limits.request_timeout_s)

    def readinto(self, buffer: Any) -> int:
        wait = self._wait_left()
        if wait <= 0:
            raise TimeoutError("the client sends too slowly")
        self._connection.settimeout(wait)
        started = time.monotonic()
        try:
            received = self._connection.recv_into(buffer)
        finally:
            self._waited += time.monotonic() - started
            # Writes keep the plain per-operation timeout.
            self._connection.settimeout(self._limits.request_timeout_s)
        self._received += received
        return received


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class InFlightLimit:
    """WSGI middleware: a request beyond the limits in flight is refused at once
    (429 from one address, 503 in all), before its body is read."""

    def __init__(self, app: WSGIApp, limits: Limits, stop_reading: Callable[[dict], None]):
        self.app = app
        self.admission = Admission(
            limits.max_in_flight,
            limits.max_in_flight_per_address,
            REQUESTS_BUSY,
            ADDRESS_REQUESTS_BUSY,
        )
        self._stop_reading = stop_reading

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        # A generator, so that a request counts until the server has sent its answer
        # (werkzeug iterates it, then closes it), and nothing counts before it starts.
        address = str(environ.get("REMOTE_ADDR") or "unknown")
        refusal = self.admission.take(address)
        if refusal is not None:
            self._stop_reading(environ)
            start_response(
                refusal.status,
                [
                    ("Content-Type", "application/json"),
                    ("Retry-After", "1"),
                    ("Content-Length", str(len(refusal.body))),
                ],
            )
            yield refusal.body
            return
        try:
            answer = self.app(environ, start_response)
            try:
                yield from answer
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
        finally:
            self.admission.give_back(address)
