"""Protocol 1.2: every /v1 call carries the identity provider's access token (RFC 9068),
and the gateway refuses any token the trusted provider did not issue for it, each with
401 invalid_token and a Bearer challenge."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.runner import SandboxHandle
from tests.gateway import forge
from tests.gateway.helpers import LUND, FakeClock, Raw, codes
from tests.support.idp_robot import exchange, sandbox_code, sandbox_tokens


def _refused(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert codes(response) == ["invalid_token"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_me_is_who_the_token_says(raw: Raw) -> None:
    me = raw.call("GET", "/v1/me", raw.token("bertil"))
    assert me.status_code == 200
    assert me.json() == {
        "staff_id": "bertil",
        "name": "Bertil Berg",
        "unit": LUND,
        "roles": ["sender", "reviewer"],
    }
    assert me.headers["Cache-Control"] == "no-store"


def test_the_old_sign_in_is_gone(raw: Raw) -> None:
    gone = raw.call("POST", "/v1/sessions", json={"staff_id": "anna", "secret": "x"})
    assert gone.status_code == 410 and codes(gone) == ["use_identity_provider"]


def test_calls_need_a_token(raw: Raw) -> None:
    _refused(raw.call("GET", "/v1/cases"))
    _refused(raw.call("GET", "/v1/cases", "forged"))
    _refused(raw.call("GET", "/v1/me", headers={"Authorization": "Basic YW5uYTox"}))
    assert raw.call("GET", "/v1/openapi.json").status_code == 200  # the one open call


def test_a_token_expires(sandbox: SandboxHandle, raw: Raw, clock: FakeClock) -> None:
    token = raw.token()
    assert raw.call("GET", "/v1/me", token).status_code == 200
    clock.advance(seconds=3600 + 60)  # its hour, and the leeway
    _refused(raw.call("GET", "/v1/me", token))


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        ({}, True),
        ({"iss": "http://127.0.0.1:1/sandbox/idp"}, False),
        ({"aud": "someone-else"}, False),
        ({"aud": ["someone-else", "bifoga-gateway"]}, True),
        ({"exp": -61}, False),
        ({"exp": -30}, True),  # within the 60 s leeway
        ({"iat": 120}, False),  # issued in the future
        ({"iat": 30}, True),  # a clock a little ahead
        ({"exp": None}, False),
        ({"iat": None}, False),
    ],
    ids=[
        "as-issued",
        "wrong-iss",
        "wrong-aud",
        "aud-list",
        "expired",
        "leeway",
        "iat-future",
        "iat-skew",
        "no-exp",
        "no-iat",
    ],
)
def test_the_claims_are_checked(
    sandbox: SandboxHandle, raw: Raw, clock: FakeClock, changes: dict[str, Any], accepted: bool
) -> None:
    now = int(clock.now.timestamp())
    values = {
        k: now + v if k in {"exp", "iat"} and v is not None else v for k, v in changes.items()
    }
    token = forge.signed(sandbox, forge.access_claims(sandbox, "anna", now, **values))
    answer = raw.call("GET", "/v1/me", token)
    if accepted:
        assert answer.status_code == 200, answer.text
    else:
        _refused(answer)


def test_forged_tokens_are_refused(sandbox: SandboxHandle, raw: Raw, clock: FakeClock) -> None:
    claims = forge.access_claims(sandbox, "anna", int(clock.now.timestamp()))
    _refused(raw.call("GET", "/v1/me", forge.unsigned(claims)))
    _refused(raw.call("GET", "/v1/me", forge.hs256_with_public_key(sandbox, claims)))
    # An id_token is no access token (typ JWT, aud bifoga), even signed by the provider.
    tokens = sandbox_tokens(sandbox.base_url, "anna")
    _refused(raw.call("GET", "/v1/me", tokens["id_token"]))
    # ...nor are the right claims with typ JWT.
    _refused(raw.call("GET", "/v1/me", forge.signed(sandbox, claims, typ="JWT")))
    assert raw.call("GET", "/v1/me", forge.signed(sandbox, claims)).status_code == 200


def test_a_token_of_a_replayed_code_is_revoked(sandbox: SandboxHandle, raw: Raw) -> None:
    flow, code = sandbox_code(sandbox.base_url, "anna")
    first = exchange(flow, code).json()
    assert raw.call("GET", "/v1/me", first["access_token"]).status_code == 200
    assert exchange(flow, code).json()["error"] == "invalid_grant"
    _refused(raw.call("GET", "/v1/me", first["access_token"]))


def test_roles_come_from_the_token(sandbox: SandboxHandle, raw: Raw, clock: FakeClock) -> None:
    claims = forge.access_claims(
        sandbox, "anna", int(clock.now.timestamp()), bifoga_roles=["reviewer"]
    )
    token = forge.signed(sandbox, claims)
    assert raw.call("GET", "/v1/me", token).json()["roles"] == ["reviewer"]
    refused = raw.send(token, {"kind": "new_case"})
    assert refused.status_code == 403 and codes(refused) == ["not_a_sender"]


@pytest.mark.parametrize(
    "token",
    [
        "..",
        "é.é.é",
        "abc.def.ghi",
        "W10.e30.x",  # a header that is a list
        "eyJhbGciOlsiUlMyNTYiXX0.e30.x",  # alg a list
        "eyJhbGciOiJSUzI1NiIsImtpZCI6NX0.e30.x",  # kid a number
        "eyJhbGciOiJSUzI1NiJ9._w.x",  # a payload that is no JSON
    ],
)
def test_a_malformed_token_is_invalid_never_an_error(raw: Raw, token: str) -> None:
    _refused(raw.call("GET", "/v1/me", token))
