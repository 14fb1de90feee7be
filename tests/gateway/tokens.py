"""The one place the tests of the gateway's limits, its memory and Schemathesis obtain a
token: an access token from the sandbox's identity provider (protocol 1.2), by the robot
at its login page (tests/support/idp_robot.py)."""

from __future__ import annotations

import requests

from tests.support.idp_robot import sandbox_tokens


def bearer_token(base_url: str, staff_id: str = "anna", verify: bool | str = True) -> str:
    with requests.Session() as http:
        http.verify = verify
        http.trust_env = False  # else a CA bundle named in the environment wins over verify
        return str(sandbox_tokens(base_url, staff_id, http=http)["access_token"])
