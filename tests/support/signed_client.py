"""The gateway client signed in the 1.2 way, for tests that exercise the client against
the sandbox: the access token and a colleague's approval come from the sandbox's identity
provider (tests/support/idp_robot.py), never from a secret.

The one place where tests give a ``GatewayClient`` a token and ask it for a sign-off with
an approval: the client takes a token source (``use_token_source(StaticToken(...))``) and
``request_review(approval, subject)``.
"""

from __future__ import annotations

import requests

from app.gateway.client import GatewayClient, Review, StaticToken
from app.protocol.model import Staff
from app.protocol.review import ReviewSubject
from tests.support.idp_robot import sandbox_approval, sandbox_tokens


def sign_in(client: GatewayClient, staff_id: str, http: requests.Session | None = None) -> Staff:
    """Sign ``client`` in as ``staff_id`` at the sandbox's provider; who the token is.
    (``http``: for the provider, e.g. a session trusting a test CA.)"""
    return use_token(
        client, str(sandbox_tokens(client.base_url, staff_id, http=http)["access_token"])
    )


def use_token(client: GatewayClient, token: str) -> Staff:
    """Make ``client``'s calls with the access token ``token``; who it is."""
    client.use_token_source(StaticToken(token))
    return client.me()


def request_review(client: GatewayClient, reviewer: str, subject: ReviewSubject) -> Review:
    """A real sign-off of ``subject`` by ``reviewer``, approved at the sandbox's provider."""
    return client.request_review(
        sandbox_approval(client.base_url, reviewer, subject.digest), subject
    )
