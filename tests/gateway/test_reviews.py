"""POST /v1/reviews (1.2): the colleague approves at the identity provider, and the gateway
checks the approval (their id_token) exactly: signature and issuer, audience, nonce = the
digest, fresh auth_time and iat, acr, used once, another person, reviewer role, same unit."""

from __future__ import annotations

from typing import Any

import pytest

from app.protocol.review import subject_digest
from sandbox.runner import SandboxHandle
from tests.gateway import forge
from tests.gateway.helpers import (
    FakeClock,
    Raw,
    attachment_json,
    codes,
    pdf_blob,
    reply,
    subject_of,
)
from tests.support.idp_robot import sandbox_approval, sandbox_tokens


def _subject(text: str = "Provsvar") -> dict[str, Any]:
    return subject_of(reply([attachment_json(pdf_blob(text), personal_data=True)]))


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert codes(response) == [code]
    assert response.json()["errors"][0]["field"] == "approval"


def test_a_colleague_signs_off(raw: Raw, token: str) -> None:
    subject = _subject()
    response = raw.review(token, subject, reviewer="bertil")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reviewer"] == {"staff_id": "bertil", "name": "Bertil Berg"}
    assert body["digest"] == subject_digest(subject) and body["review_id"]
    assert body["expires_at"]


def test_digest_must_be_the_subjects(raw: Raw, token: str) -> None:
    response = raw.review(token, _subject(), digest="0" * 64)
    assert response.status_code == 422 and codes(response) == ["digest_mismatch"]


def test_the_sender_cannot_approve_their_own_message(raw: Raw, token: str) -> None:
    # Anna authenticates afresh for her own sign-off: a real approval, but hers.
    _refused(raw.review(token, _subject(), reviewer="anna"), 403, "reviewer_is_sender")


def test_the_senders_own_token_is_no_approval(raw: Raw, sandbox: SandboxHandle) -> None:
    tokens = sandbox_tokens(sandbox.base_url, "anna")
    subject = _subject()
    as_access = raw.review(tokens["access_token"], subject, approval=tokens["access_token"])
    _refused(as_access, 401, "approval_invalid")
    # Her id_token from signing in was not made for this sign-off.
    as_sign_in = raw.review(tokens["access_token"], subject, approval=tokens["id_token"])
    _refused(as_sign_in, 403, "review_mismatch")


def test_a_colleague_without_the_reviewer_role_cannot(raw: Raw, token: str) -> None:
    _refused(raw.review(token, _subject(), reviewer="david"), 403, "not_a_reviewer")


def test_a_colleague_of_another_unit_cannot(raw: Raw, token: str) -> None:
    _refused(raw.review(token, _subject(), reviewer="erik"), 403, "reviewer_other_unit")


def test_an_approval_of_another_sign_off_is_a_mismatch(
    raw: Raw, token: str, sandbox: SandboxHandle
) -> None:
    other = sandbox_approval(sandbox.base_url, "bertil", subject_digest(_subject("Annat")))
    _refused(raw.review(token, _subject(), approval=other), 403, "review_mismatch")


def test_an_approval_is_used_once(raw: Raw, token: str, sandbox: SandboxHandle) -> None:
    subject = _subject()
    approval = sandbox_approval(sandbox.base_url, "bertil", subject_digest(subject))
    assert raw.review(token, subject, approval=approval).status_code == 201
    _refused(raw.review(token, subject, approval=approval), 409, "approval_reused")


def test_an_approval_goes_stale_after_five_minutes(
    raw: Raw, token: str, sandbox: SandboxHandle, clock: FakeClock
) -> None:
    subject = _subject()
    approval = sandbox_approval(sandbox.base_url, "bertil", subject_digest(subject))
    clock.advance(seconds=301)
    _refused(raw.review(token, subject, approval=approval), 403, "approval_stale")


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"auth_time": -400}, 403, "approval_stale"),  # a single sign-on, not a fresh login
        ({"auth_time": None}, 403, "approval_stale"),
        ({"acr": forge.LOA2}, 403, "approval_weak"),
        ({"acr": None}, 403, "approval_weak"),
        ({"iss": "http://127.0.0.1:1/sandbox/idp"}, 401, "approval_invalid"),
        ({"aud": "bifoga-gateway"}, 401, "approval_invalid"),
        ({"aud": ["bifoga", "other"], "azp": "other"}, 401, "approval_invalid"),
        ({"exp": -61, "iat": -200, "auth_time": -200}, 401, "approval_invalid"),  # expired
        ({"iat": 120}, 401, "approval_invalid"),  # issued in the future
    ],
    ids=[
        "sso-auth-time",
        "no-auth-time",
        "loa2",
        "no-acr",
        "wrong-iss",
        "aud-gateway",
        "azp-other",
        "expired",
        "iat-future",
    ],
)
def test_approvals_the_provider_would_not_give_are_refused(
    raw: Raw,
    token: str,
    sandbox: SandboxHandle,
    clock: FakeClock,
    changes: dict[str, Any],
    status: int,
    code: str,
) -> None:
    now = int(clock.now.timestamp())
    relative = {"exp", "iat", "auth_time"}
    values = {k: now + v if k in relative and v is not None else v for k, v in changes.items()}
    subject = _subject()
    claims = forge.id_claims(sandbox, "bertil", now, subject_digest(subject), **values)
    approval = forge.signed(sandbox, claims, typ="JWT")
    _refused(raw.review(token, subject, approval=approval), status, code)


def test_forged_approvals_are_invalid(
    raw: Raw, token: str, sandbox: SandboxHandle, clock: FakeClock
) -> None:
    subject = _subject()
    claims = forge.id_claims(sandbox, "bertil", int(clock.now.timestamp()), subject_digest(subject))
    for approval in (
        forge.unsigned(claims, typ="JWT"),
        forge.hs256_with_public_key(sandbox, claims, typ="JWT"),
        "not-a-jwt",
    ):
        _refused(raw.review(token, subject, approval=approval), 401, "approval_invalid")
    # The same claims, properly signed, pass: only the forgery was refused.
    assert (
        raw.review(token, subject, approval=forge.signed(sandbox, claims, "JWT")).status_code == 201
    )


def test_malformed_review_request_is_refused_per_field(raw: Raw, token: str) -> None:
    response = raw.call("POST", "/v1/reviews", token, json={"digest": "x", "subject": {}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"approval", "digest", "subject.kind"} <= fields
