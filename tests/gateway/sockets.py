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
