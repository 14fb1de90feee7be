"""Protocol 1.1: failed credential checks throttle that staff id *from that client
address*, so one attacker cannot lock a colleague out from every workstation. Loopback
answers on all of 127.0.0.0/8, so two client addresses are two source addresses."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.review import subject_digest
from sandbox.runner import SandboxHandle
from tests.gateway.helpers import (
    SECRETS,
    FakeClock,
    Raw,
    attachment_json,
    pdf_blob,
    reply,
    subject_of,
)

_ATTACKER = "127.0.0.2"


class Workstation:
    """HTTP from one source address."""

    def __init__(self, sandbox: SandboxHandle, address: str) -> None:
        self._port = sandbox.port
        self._address = address

    def post(
        self, path: str, body: dict[str, Any], token: str | None = None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self._port, timeout=10, source_address=(self._address, 0)
        )
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request("POST", path, json.dumps(body), headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), json.loads(response.read())
        finally:
            connection.close()

    def sign_in(self, staff_id: str, secret: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        return self.post("/v1/sessions", {"staff_id": staff_id, "secret": secret})


@pytest.fixture
def attacker(sandbox: SandboxHandle) -> Iterator[Workstation]:
    yield Workstation(sandbox, _ATTACKER)


def test_failures_from_one_address_lock_the_account_there_only(
    raw: Raw, attacker: Workstation, clock: FakeClock
) -> None:
    for _ in range(5):
        status, _, body = attacker.sign_in("bertil", "gissning")
        assert status == 401 and body["errors"][0]["code"] == "invalid_credentials"
    status, headers, body = attacker.sign_in("bertil", SECRETS["bertil"])
    assert status == 429 and body["errors"][0]["code"] == "too_many_attempts"
    assert 1 <= int(headers["Retry-After"]) <= 15 * 60
    # Bertil's own workstation is not locked out.
    assert raw.sign_in("bertil").status_code == 201
    # ...and his success there does not give the attacker new guesses.
    assert attacker.sign_in("bertil", "gissning")[0] == 429
    clock.advance(minutes=15, seconds=1)
    assert attacker.sign_in("bertil", SECRETS["bertil"])[0] == 201


def test_a_colleagues_sign_off_is_throttled_per_address_too(
    raw: Raw, attacker: Workstation
) -> None:
    anna = raw.token("anna")
    blob = pdf_blob()
    assert raw.upload(anna, blob).status_code == 201
    subject = subject_of(reply([attachment_json(blob, personal_data=True)]))
    request = {"digest": subject_digest(subject), "subject": subject}
    for _ in range(5):
        wrong = dict(request, reviewer={"staff_id": "bertil", "secret": "gissning"})
        assert attacker.post("/v1/reviews", wrong, anna)[0] == 401
    right = dict(request, reviewer={"staff_id": "bertil", "secret": SECRETS["bertil"]})
    status, headers, body = attacker.post("/v1/reviews", right, anna)
    assert status == 429 and "Retry-After" in headers
    assert body["errors"][0]["field"] == "reviewer"
    # The same throttle guards Bertil's sign-in from there, and nowhere else.
    assert attacker.sign_in("bertil", SECRETS["bertil"])[0] == 429
    assert raw.review(anna, subject, reviewer="bertil").status_code == 201
