"""One client address takes only its share of the sandbox, and a trickle is dropped
(issue 21: 64 idle sockets made every request 503 for 30 s; 64 sockets sending a byte
every 20 s kept it at 503 for ever). Raw sockets from other loopback addresses
(127.0.0.2, ...) stand for other machines; only 127.0.0.1 is ever connected to. Every
loop is bounded, and every wait is on the server (its counts, its answer, its closing
the socket)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from sandbox.limits import Limits
from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.sockets import PATIENCE_S, answer, connect, request_head
from tests.gateway.tokens import bearer_token

ATTACKER = "127.0.0.2"
#: A JSON request the sandbox reads in full without a token (1.2: there is no sign-in at
#: the gateway any more): setting no fault.
_SIGN_IN = json.dumps({"mode": None, "count": 0}).encode()


def _codes(body: bytes) -> list[str]:
    return [e["code"] for e in json.loads(body)["errors"]]


def _signs_in(base_url: str) -> None:
    """A well-behaved client from 127.0.0.1 is served."""
    assert bearer_token(base_url, "anna")


def _sign_in_head(port: int, length: int = len(_SIGN_IN)) -> bytes:
    return request_head(
        "POST",
        "/sandbox/faults",
        port,
        "Content-Type: application/json",
        f"Content-Length: {length}",
    )


@pytest.fixture
def patient(tmp_path: Path) -> Iterator[SandboxHandle]:
    """The default limits, except that idle connections are kept long enough for the
    test to count them whatever the machine's speed."""
    limits = Limits(header_timeout_s=PATIENCE_S * 3)
    with start_sandbox(data_dir=tmp_path / "patient", limits=limits) as handle:
        yield handle


def test_64_idle_sockets_from_one_address_shut_out_only_that_address(
    patient: SandboxHandle,
) -> None:
    share = patient.server.limits.max_connections_per_address
    assert share < 64 <= patient.server.limits.max_connections
    with ExitStack() as held:
        # The attack of issue 21, from one address. The server accepts in order: the
        # first ``share`` connections are served (and wait for their headers), the rest
        # are answered 429 and closed at once.
        sockets = [
            held.enter_context(connect(patient.base_url, source=ATTACKER)) for _ in range(64)
        ]
        for sock in sockets[share:]:
            status, headers, body = answer(sock)
            assert status == 429 and headers["retry-after"] == "1"
            assert _codes(body) == ["too_many_connections"]
        assert patient.server.wait_for_open_connections(share, PATIENCE_S, address=ATTACKER)
        _signs_in(patient.base_url)  # everybody else is still served meanwhile
        # The sign-in's own connection closes (after its answer) and the share remains.
        assert patient.server.wait_for_open_connections(share, PATIENCE_S)
    assert patient.server.wait_for_open_connections(0, PATIENCE_S)


def test_the_total_cap_still_holds_across_addresses(tmp_path: Path) -> None:
    limits = Limits(max_connections=4, max_connections_per_address=2, header_timeout_s=60)
    with start_sandbox(data_dir=tmp_path / "small", limits=limits) as handle, ExitStack() as held:
        for source in ("127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3"):
            held.enter_context(connect(handle.base_url, source=source))
        assert handle.server.wait_for_open_connections(4, PATIENCE_S)
        with connect(handle.base_url, source="127.0.0.4") as fifth:
            status, _, body = answer(fifth)
        assert status == 503 and _codes(body) == ["too_many_connections"]
        held.close()
        assert handle.server.wait_for_open_connections(0, PATIENCE_S)
        _signs_in(handle.base_url)


def test_requests_in_flight_are_limited_per_address(tmp_path: Path) -> None:
    limits = Limits(max_in_flight_per_address=2, header_timeout_s=60, body_grace_s=60)
    with (
        start_sandbox(data_dir=tmp_path / "inflight", limits=limits) as handle,
        ExitStack() as held,
    ):
        in_flight = handle.server.in_flight.admission
        for _ in range(2):  # headers sent, the body not yet: the application is reading it
            sock = held.enter_context(connect(handle.base_url, source=ATTACKER))
            sock.sendall(_sign_in_head(handle.port) + _SIGN_IN[:5])
        assert in_flight.wait_for(2, PATIENCE_S, address=ATTACKER)
        with connect(handle.base_url, source=ATTACKER) as third:
            third.sendall(_sign_in_head(handle.port) + _SIGN_IN)
            status, headers, body = answer(third)
        assert status == 429 and headers["retry-after"] == "1"
        assert _codes(body) == ["too_many_requests"]
        _signs_in(handle.base_url)  # another address is served meanwhile
        held.close()
        assert in_flight.wait_for(0, PATIENCE_S)
        assert handle.server.wait_for_open_connections(0, PATIENCE_S)


# -- the trickle -----------------------------------------------------------------------------

#: A byte every this many seconds: far below the per-read timeout (30 s), which alone
#: never drops such a client.
_TRICKLE_S = 0.2
#: Bounds the loops: the server must have dropped the trickle long before this many bytes.
_MAX_BYTES = 100


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[SandboxHandle]:
    """Headers within 1 s of waiting; a body at 1,000 bytes a second after 1 s."""
    limits = Limits(header_timeout_s=1.0, min_body_rate=1000.0, body_grace_s=1.0)
    with start_sandbox(data_dir=tmp_path / "strict", limits=limits) as handle:
        assert handle.server.limits.request_timeout_s == 30.0
        yield handle


def _trickle(sock: socket.socket, data: bytes) -> tuple[int, bytes]:
    """Send ``data`` a byte at a time, waiting up to ``_TRICKLE_S`` for the server between
    bytes; how many bytes went out before it answered or closed, and what it sent."""
    sock.settimeout(_TRICKLE_S)
    for sent, byte in enumerate(data[:_MAX_BYTES]):
        try:
            sock.sendall(bytes([byte]))
            received = sock.recv(65536)
        except TimeoutError:
            continue  # the server is still waiting for more
        except (BrokenPipeError, ConnectionResetError):
            return sent, b""
        sock.settimeout(PATIENCE_S)
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
        return sent, received + rest
    raise AssertionError("the server kept waiting for a trickle")


def test_headers_trickled_a_byte_at_a_time_are_dropped(strict: SandboxHandle) -> None:
    head = _sign_in_head(strict.port) + _SIGN_IN
    with connect(strict.base_url, source=ATTACKER) as sock:
        sent, received = _trickle(sock, head)
    assert received == b"" and sent < len(head)  # closed without an answer, mid-headers
    assert strict.server.wait_for_open_connections(0, PATIENCE_S)
    _signs_in(strict.base_url)


def test_a_body_trickled_a_byte_at_a_time_is_dropped(strict: SandboxHandle) -> None:
    with connect(strict.base_url, source=ATTACKER) as sock:
        sock.sendall(_sign_in_head(strict.port))
        sent, received = _trickle(sock, _SIGN_IN)
    assert sent < len(_SIGN_IN)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and _codes(body) == ["incomplete_body"]
    assert strict.server.wait_for_open_connections(0, PATIENCE_S)
    _signs_in(strict.base_url)


def test_a_client_that_sends_at_a_fair_rate_is_served(strict: SandboxHandle) -> None:
    with connect(strict.base_url) as sock:
        sock.sendall(_sign_in_head(strict.port) + _SIGN_IN)
        status, _, body = answer(sock)
    assert status == 200 and json.loads(body)["mode"] is None
