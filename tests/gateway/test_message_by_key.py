"""GET /v1/messages?idempotency_key= (docs/protocol.md 1.1): what became of a send whose answer
was lost, asked without sending; and the client's ``message_for_key`` over it."""

from __future__ import annotations

import uuid

from app.gateway.client import GatewayClient
from tests.gateway.helpers import KARIN, Raw, codes, reply
from tests.support.signed_client import sign_in


def _lookup(raw: Raw, token: str | None, key: str) -> tuple[int, dict[str, object]]:
    response = raw.call("GET", "/v1/messages", token, params={"idempotency_key": key})
    return response.status_code, response.json()


def test_the_clinicians_own_message_is_found_by_its_key(raw: Raw, token: str) -> None:
    key = str(uuid.uuid4())
    created = raw.send(token, reply(), key)
    assert created.status_code == 201
    raw.send(token, reply(subject="Ett annat"), str(uuid.uuid4()))  # not this key's
    status, body = _lookup(raw, token, key)
    assert status == 200
    messages = body["messages"]
    assert isinstance(messages, list) and len(messages) == 1
    found = messages[0]
    assert found["message_id"] == created.json()["message_id"]
    assert found["subject"] == "Ditt provsvar"
    assert [d["resident_id"] for d in found["deliveries"]] == [KARIN]


def test_an_unknown_key_finds_nothing(raw: Raw, token: str) -> None:
    raw.send(token, reply(), str(uuid.uuid4()))
    assert _lookup(raw, token, str(uuid.uuid4())) == (200, {"messages": []})


def test_a_colleagues_message_is_not_found_by_its_key(raw: Raw, token: str) -> None:
    key = str(uuid.uuid4())
    created = raw.send(token, reply(), key)
    assert created.status_code == 201
    colleague = raw.token("cecilia")  # same unit: she may read the message by its id
    by_id = raw.call("GET", f"/v1/messages/{created.json()['message_id']}", colleague)
    assert by_id.status_code == 200
    assert _lookup(raw, colleague, key) == (200, {"messages": []})
    assert _lookup(raw, token, key)[1]["messages"]


def test_the_lookup_needs_a_token_and_a_sensible_key(raw: Raw, token: str) -> None:
    missing = raw.call("GET", "/v1/messages", params={"idempotency_key": str(uuid.uuid4())})
    assert missing.status_code == 401
    for bad in ("", "x" * 256, "tab\there"):
        response = raw.call("GET", "/v1/messages", token, params={"idempotency_key": bad})
        assert response.status_code == 422 and codes(response) == ["invalid_idempotency_key"]


def test_the_client_finds_a_message_by_key_or_says_there_is_none(
    raw: Raw, client: GatewayClient
) -> None:
    sign_in(client, "anna")
    key = str(uuid.uuid4())
    assert client.message_for_key(key) is None
    created = raw.send(raw.token("anna"), reply(), key).json()
    found = client.message_for_key(key)
    assert found is not None and found.replayed
    assert (found.message_id, found.created_at) == (created["message_id"], created["created_at"])
    assert [(d.resident_id, d.delivery_id) for d in found.deliveries] == [
        (d["resident_id"], d["delivery_id"]) for d in created["deliveries"]
    ]
