"""Raw sockets against a sandbox on loopback, for what no HTTP library would send.

Only loopback is ever a target; a test may send *from* other loopback addresses
(127.0.0.2, ...: all of 127/8 is this machine) to stand for other client machines.
"""

from __future__ import annotations

import socket

#: How long a test lets the server take before it counts as hanging. A safety net only:
#: each test ends as soon as the server answers or closes.
PATIENCE_S = 20.0


def connect(base_url: str, source: str | None = None) -> socket.socket:
    host, port = base_url.split("://", 1)[-1].rsplit(":", 1)
    assert host == "127.0.0.1", "tests only ever connect to loopback"
    return socket.create_connection(
        (host, int(port)),
        timeout=PATIENCE_S,
        source_address=(source, 0) if source is not None else None,
    )


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP answer (the server closes every connection after it)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def closed_without_answer(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def request_head(method: str, path: str, port: int, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *headers, "", ""]
    return "\r\n".join(lines).encode()


def closed_port() -> int:
    """A port on loopback that nobody listens on: a connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_request(sock: socket.socket) -> bytes:
    """One whole HTTP request off ``sock``: its head, and the body its Content-Length says."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = 0
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(body) < length and (chunk := sock.recv(65536)):
        body += chunk
    return head + b"\r\n\r\n" + body


class SilentServer:
    """A server on loopback that takes one connection, reads the whole request and never
    answers: it drops the connection at once, or (``hold=True``) holds it until the client
    gives up and closes. Later connections are refused. What it read is ``requests``. Use
    as a context manager: its thread has ended on exit."""

    def __init__(self, *, hold: bool = False) -> None:
        import threading

        self.hold = hold
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(PATIENCE_S)
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(PATIENCE_S)
        self._listener.close()

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:  # nobody came (the test failed before it called)
            return
        finally:
            self._listener.close()  # one connection only: later ones are refused
        with conn:
            conn.settimeout(PATIENCE_S)
            self.requests.append(read_request(conn))
            if self.hold:  # until the client closes its end
                closed_without_answer(conn)
