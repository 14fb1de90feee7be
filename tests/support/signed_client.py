"""The gateway client signed in the 1.2 way, for tests that exercise the client against
the sandbox: the access token and a colleague's approval come from the sandbox's identity
provider (tests/support/idp_robot.py), never from a secret.

The one place where tests give a ``GatewayClient`` a token and ask it for a sign-off with
an approval. The client of protocol 1.2 (the oidc branch) takes a token source
(``use_token_source(StaticToken(...))``) and ``request_review(approval, subject)``; until
that branch is merged here, the older client is given the same through its call path.
MERGE NOTE: once ``GatewayClient.use_token_source`` exists on this branch, delete the
``_older_client_*`` fallbacks.
"""

from __future__ import annotations

from typing import Any

import requests

from app.gateway import client as gateway_client
from app.gateway.client import GatewayClient, Review
from app.model import Staff
from app.review import ReviewSubject
from tests.support.idp_robot import sandbox_approval, sandbox_tokens


def sign_in(client: GatewayClient, staff_id: str, http: requests.Session | None = None) -> Staff:
    """Sign ``client`` in as ``staff_id`` at the sandbox's provider; who the token is.
    (``http``: for the provider, e.g. a session trusting a test CA.)"""
    return use_token(
        client, str(sandbox_tokens(client.base_url, staff_id, http=http)["access_token"])
    )


def use_token(client: GatewayClient, token: str) -> Staff:
    """Make ``client``'s calls with the access token ``token``; who it is."""
    use_token_source = getattr(client, "use_token_source", None)
    if use_token_source is not None:  # (getattr: typed the same before and after the merge)
        use_token_source(gateway_client.StaticToken(token))  # type: ignore[attr-defined,unused-ignore]
        staff: Staff = client.me()  # type: ignore[attr-defined,unused-ignore]
        return staff
    return _older_client_sign_in(client, token)


def request_review(client: GatewayClient, reviewer: str, subject: ReviewSubject) -> Review:
    """A real sign-off of ``subject`` by ``reviewer``, approved at the sandbox's provider."""
    approval = sandbox_approval(client.base_url, reviewer, subject.digest)
    if hasattr(client, "use_token_source"):
        review: Review = getattr(client, "request_review")(approval, subject)  # noqa: B009
        return review
    return _older_client_review(client, approval, subject)


def _older_client_sign_in(client: GatewayClient, token: str) -> Staff:
    client._token = token
    data: dict[str, Any] = client._call("GET", "/v1/me", expected={200}, idempotent=True).json()
    staff = Staff(
        staff_id=str(data["staff_id"]),
        name=str(data["name"]),
        unit=str(data["unit"]),
        roles=tuple(str(r) for r in data["roles"]),
    )
    client._staff = staff
    return staff


def _older_client_review(client: GatewayClient, approval: str, subject: ReviewSubject) -> Review:
    response = client._call(
        "POST",
        "/v1/reviews",
        expected={201},
        idempotent=False,
        json_body={"approval": approval, "digest": subject.digest, "subject": subject.to_json()},
    )
    data: dict[str, Any] = response.json()
    return Review(
        review_id=str(data["review_id"]),
        reviewer_id=str(data["reviewer"]["staff_id"]),
        reviewer_name=str(data["reviewer"]["name"]),
        digest=str(data["digest"]),
        expires_at=str(data["expires_at"]),
    )
