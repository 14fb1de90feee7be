"""The sandbox holds against a hostile client (docs/protocol.md 1.1, General): bodies over the
limit are refused while they are read, chunked or not; deep JSON is 400; a stalled client
is dropped; the connections served at once are capped. Raw sockets send what no HTTP
library would, and every test waits on the server's answer or its closing the socket."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme

from sandbox.responses import MAX_JSON_BYTES
from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.helpers import Raw, codes
from tests.gateway.sockets import (
    PATIENCE_S,
    answer,
    closed_without_answer,
    connect,
    request_head,
)
from tests.gateway.tokens import bearer_token

#: The stall timeout of the sandboxes started here (the default is 30 s).
_STALL_S = 0.5


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _request_head(path: str, port: int, *headers: str) -> bytes:
    return request_head("POST", path, port, *headers)


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A sandbox that drops a stalled client after half a second, serving at most 3
    connections at once."""
    with start_sandbox(
        data_dir=tmp_path / "guarded", request_timeout_s=_STALL_S, max_connections=3
    ) as handle:
        yield handle


def _still_answers(base_url: str) -> None:
    """A JSON request is read and answered in full (one of the sandbox's: no token)."""
    response = requests.post(
        base_url + "/sandbox/faults", json={"mode": None, "count": 0}, timeout=PATIENCE_S
    )
    assert response.status_code == 200, response.text


def _bearer(base_url: str) -> str:
    """The header that lets a raw request reach the JSON body of POST /v1/reviews."""
    return f"Authorization: Bearer {bearer_token(base_url)}"


# -- body limits while reading ------------------------------------------------------------


def test_a_chunked_body_over_the_limit_is_refused_without_waiting_for_its_end(
    sandbox: SandboxHandle,
) -> None:
    with connect(sandbox.base_url) as sock:
        sock.sendall(
            _request_head(
                "/v1/reviews",
                sandbox.port,
                _bearer(sandbox.base_url),
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
            )
        )
        block = b" " * 65536
        for _ in range(MAX_JSON_BYTES // len(block) + 1):  # one block over the limit
            sock.sendall(_chunk(block))
        # The body never ends (no last chunk): only a server that stops at the limit
        # can answer now.
        status, headers, body = answer(sock)
    assert status == 413 and headers["connection"] == "close"
    assert [e["code"] for e in json.loads(body)["errors"]] == ["payload_too_large"]
    _still_answers(sandbox.base_url)


def test_a_chunked_body_within_the_limit_is_read(sandbox: SandboxHandle) -> None:
    payload = json.dumps({"digest": "0" * 64, "approval": "x"}).encode()
    with connect(sandbox.base_url) as sock:
        sock.sendall(
            _request_head(
                "/v1/reviews",
                sandbox.port,
                _bearer(sandbox.base_url),
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
            )
            + _chunk(payload[:10])
            + _chunk(payload[10:])
            + b"0\r\n\r\n"
        )
        status, _, body = answer(sock)
    # Read and parsed to the end: only the subject is missing.
    assert status == 422 and {e["field"] for e in json.loads(body)["errors"]} == {"subject"}


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    sandbox: SandboxHandle, raw: Raw, token: str
) -> None:
    with connect(sandbox.base_url) as sock:
        sock.sendall(
            _request_head(
                "/v1/reviews",
                sandbox.port,
                f"Authorization: Bearer {token}",
                "Content-Type: application/json",
                f"Content-Length: {MAX_JSON_BYTES + 1}",
            )
        )
        status, _, body = answer(sock)  # not a byte of the body was sent
    assert status == 413 and b"payload_too_large" in body
    chunked_upload = raw.call(
        "PUT",
        "/v1/attachments/" + "0" * 64,
        token,
        data=iter([b"%PDF-1.7\n", b"x" * 1024]),  # a generator: requests sends it chunked
        headers={"Content-Type": "application/pdf"},
    )
    assert chunked_upload.status_code == 411 and codes(chunked_upload) == ["length_required"]


# -- deep JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        "[" * 100_000 + "]" * 100_000,
        '{"approval": "x", "digest": ' + "[" * 65 + "]" * 65 + "}",
        '{"a":' * 70 + "1" + "}" * 70,
    ],
    ids=["open", "balanced", "in-a-field", "objects"],
)
def test_json_nested_deeper_than_64_is_400(raw: Raw, token: str, body: str) -> None:
    response = raw.call(
        "POST", "/v1/reviews", token, data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and codes(response) == ["json_too_deep"]
    assert raw.call("GET", "/v1/me", token).status_code == 200


def test_json_64_deep_and_brackets_in_strings_are_parsed(raw: Raw, token: str) -> None:
    nested = "[" * 63 + "]" * 63  # 64 with the outer object
    body = '{"approval": "x", "digest": "' + "0" * 64 + '", "note": ' + nested + "}"
    response = raw.call(
        "POST", "/v1/reviews", token, data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422 and codes(response) == ["required"], response.text
    in_a_string = json.dumps({"approval": "[" * 90 + '\\"', "digest": "0" * 64})
    parsed = raw.call(
        "POST",
        "/v1/reviews",
        token,
        data=in_a_string,
        headers={"Content-Type": "application/json"},
    )
    assert parsed.status_code == 422 and "json_too_deep" not in codes(parsed)


# -- stalls and the connection cap -------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [b"", b"POST /v1/reviews HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"],
    ids=["before-a-byte", "in-the-headers"],
)
def test_a_client_that_stalls_before_its_request_is_read_is_dropped(
    guarded: SandboxHandle, sent: bytes
) -> None:
    with connect(guarded.base_url) as sock:
        sock.sendall(sent)
        assert closed_without_answer(sock), "the server closed the stalled connection"
    assert guarded.server.wait_for_open_connections(0, PATIENCE_S)
    _still_answers(guarded.base_url)


_HEAD = b"POST /v1/reviews HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize(
    "sent",
    [
        b'Content-Length: 100\r\n\r\n{"approval": "ey',
        b'Transfer-Encoding: chunked\r\n\r\n10\r\n{"approval": "ey',
    ],
    ids=["in-the-body", "in-a-chunk"],
)
def test_a_client_that_stalls_in_its_body_is_told_and_dropped(
    guarded: SandboxHandle, sent: bytes
) -> None:
    bearer = _bearer(guarded.base_url).encode() + b"\r\n"
    with connect(guarded.base_url) as sock:
        sock.sendall(_HEAD + bearer + sent)
        status, headers, body = answer(sock)  # returns once the server has closed
    assert status == 400 and headers["connection"] == "close"
    assert [e["code"] for e in json.loads(body)["errors"]] == ["incomplete_body"]
    assert guarded.server.wait_for_open_connections(0, PATIENCE_S)
    _still_answers(guarded.base_url)


def test_connections_are_capped_and_the_cap_frees_up(guarded: SandboxHandle) -> None:
    # A long stall timeout would make no difference: these connections are closed by the
    # test itself, and the cap is what is tested.
    stalled = [connect(guarded.base_url) for _ in range(3)]
    try:
        for sock in stalled:
            sock.sendall(b"POST /v1/reviews HTTP/1.1\r\n")
        assert guarded.server.wait_for_open_connections(3, PATIENCE_S)
        with connect(guarded.base_url) as fourth:
            fourth.sendall(b"GET /sandbox/ledger HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = answer(fourth)
        assert status == 503 and headers["retry-after"] == "1"
        assert [e["code"] for e in json.loads(body)["errors"]] == ["too_many_connections"]
    finally:
        for sock in stalled:
            sock.close()
    assert guarded.server.wait_for_open_connections(0, PATIENCE_S)
    _still_answers(guarded.base_url)


def test_a_tls_client_that_never_shakes_hands_holds_up_no_one(
    tmp_path: Path,
) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    with start_sandbox(
        data_dir=tmp_path / "tls", tls_cert=cert_file, tls_key=key_file, request_timeout_s=5.0
    ) as handle:
        host, port = handle.base_url.removeprefix("https://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=PATIENCE_S) as silent:
            assert handle.server.wait_for_open_connections(1, PATIENCE_S)
            # Served meanwhile: the silent client's handshake waits on its own thread.
            answer = requests.get(
                handle.base_url + "/sandbox/ledger", verify=str(ca_file), timeout=PATIENCE_S
            )
            assert answer.status_code == 200
            assert closed_without_answer(silent)
        assert handle.server.wait_for_open_connections(0, PATIENCE_S)
