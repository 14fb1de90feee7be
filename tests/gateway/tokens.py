"""The one place the tests of the gateway's limits, its memory and Schemathesis obtain a
token: the sign-in (POST /v1/sessions with a demo staff member's secret) for now; the
lead swaps this function alone when sign-in moves to OIDC bearer tokens."""

from __future__ import annotations

import requests

from tests.gateway.helpers import SECRETS


def bearer_token(base_url: str, staff_id: str = "anna", verify: bool | str = True) -> str:
    response = requests.post(
        base_url + "/v1/sessions",
        json={"staff_id": staff_id, "secret": SECRETS[staff_id]},
        timeout=10,
        verify=verify,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])
