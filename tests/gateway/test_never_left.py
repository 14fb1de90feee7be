"""Which failed requests provably never left this machine (``GatewayError.reached_gateway``
is False), with real sockets: a refused connection and a certificate refused in the TLS
handshake never left; a request read and then dropped, or left without an answer, may
have reached the gateway (doubt). Failures hard to make on loopback (no such host, a
connect timeout) are checked as requests wraps them."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme
from urllib3.connection import HTTPConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from app.gateway.client import GatewayClient, GatewayError, OutgoingMessage, RetryPolicy
from app.gateway.unsent import never_left
from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.helpers import RecordingSleep
from tests.gateway.sockets import SilentServer, closed_port

KARIN = "19680102-9288"
MESSAGE = OutgoingMessage(
    kind="new_case", case_id=None, recipients=[KARIN], subject="Hej", body="Välkommen."
)


def _send(base_url: str, *, read_timeout: float = 5.0, verify: bool = True) -> GatewayError:
    """The error one POST /v1/messages ends in (one try, as the outbox makes it)."""
    with (
        GatewayClient(
            base_url,
            read_timeout=read_timeout,
            verify=verify,
            sleep=RecordingSleep(),
            retry=RetryPolicy(max_attempts=1),
        ) as client,
        pytest.raises(GatewayError) as failed,
    ):
        client.send_message(MESSAGE, str(uuid.uuid4()), retry=False)
    return failed.value


def test_a_refused_connection_never_left() -> None:
    error = _send(f"http://127.0.0.1:{closed_port()}")
    assert error.codes == ("network",) and error.status is None
    assert error.reached_gateway is False


def test_a_request_read_and_then_dropped_may_have_reached_the_gateway() -> None:
    with SilentServer() as server:
        error = _send(server.base_url)
    assert server.requests[0].startswith(b"POST /v1/messages "), "the request was read"
    assert error.codes == ("network",) and error.reached_gateway is True


def test_a_request_without_an_answer_in_time_may_have_reached_the_gateway() -> None:
    with SilentServer(hold=True) as server:
        error = _send(server.base_url, read_timeout=0.5)
    assert server.requests[0].startswith(b"POST /v1/messages ")
    assert error.codes == ("timeout",) and error.reached_gateway is True


@pytest.fixture
def tls_sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A sandbox on HTTPS with a certificate from a CA the OS trust store does not know."""
    cert = trustme.CA().issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    with start_sandbox(tls_cert=cert_file, tls_key=key_file) as handle:
        yield handle


def test_a_certificate_refused_in_the_handshake_never_left(tls_sandbox: SandboxHandle) -> None:
    error = _send(tls_sandbox.base_url)
    assert error.codes == ("tls",) and error.reached_gateway is False


def _wrapped(reason: Exception) -> MaxRetryError:
    return MaxRetryError(pool=None, url="/v1/messages", reason=reason)  # type: ignore[arg-type]


def test_no_such_host_and_a_connect_timeout_never_left() -> None:
    conn = HTTPConnection("gateway.invalid")
    unresolved = NameResolutionError("gateway.invalid", conn, socket.gaierror("no such name"))
    refused = NewConnectionError(conn, "Connection refused")
    slow = ConnectTimeoutError(conn, "connect timed out")
    assert never_left(requests.ConnectionError(_wrapped(unresolved)))
    assert never_left(requests.ConnectionError(_wrapped(refused)))
    assert never_left(requests.exceptions.ConnectTimeout(_wrapped(slow)))


def test_a_read_timeout_or_a_reset_after_sending_is_doubt() -> None:
    read_timeout = ReadTimeoutError(None, "/v1/messages", "read timed out")  # type: ignore[arg-type]
    reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    assert not never_left(requests.exceptions.ReadTimeout(_wrapped(read_timeout)))
    assert not never_left(requests.ConnectionError(_wrapped(reset)))
    assert not never_left(requests.ConnectionError("something else"))
    assert not never_left(OSError("no requests error at all"))


def test_the_clients_sessions_leave_retrying_to_the_client() -> None:
    # never_left reads one try: urllib3 must not retry by itself, or a refused second
    # try could hide a first one that was sent.
    from app.network.transport import new_session

    for verify in (True, "ca.pem"):
        with new_session(verify) as session:
            for url in ("https://gateway.example/", "http://127.0.0.1:8080/"):
                assert session.get_adapter(url).max_retries.total == 0  # type: ignore[attr-defined]
