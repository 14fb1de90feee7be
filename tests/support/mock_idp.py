"""An identity provider nobody here wrote: oidc-provider-mock (PyPI) on loopback, in a
thread, with a robot that drives its authorization form over HTTP.

The mock accepts only clients with a secret at its token endpoint; Bifoga is a public
client (RFC 8252 §8.4), so :func:`running_mock_idp` lets its two grants take the ``none``
method too, while it runs. It does not check PKCE (the sandbox's provider does). It has
no revocation endpoint (RFC 7009); :func:`running_mock_idp` adds one in front of it (a
small WSGI wrapper that also names it in the discovery document), which removes the
refresh token from the mock's own storage, so a revoked token really fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from tests.support.wsgi_thread import serving

#: The unit as the sandbox names it (its demo world), so its cases are theirs.
UNIT = "Vårdcentralen Lund"
#: What the demo staff's tokens say, named as Inera's IdP names them.
STAFF_CLAIMS: dict[str, dict[str, Any]] = {
    "anna": {
        "employeeHsaId": "anna",
        "given_name": "Anna",
        "family_name": "Andersson",
        "name": "Anna Andersson",
        "healthCareUnitHsaId": UNIT,
        "bifoga_roles": ["sender", "reviewer"],
        "acr": "http://id.sambi.se/loa/loa3",
    },
    "bertil": {
        "employeeHsaId": "bertil",
        "given_name": "Bertil",
        "family_name": "Berg",
        "name": "Bertil Berg",
        "healthCareUnitHsaId": UNIT,
        "bifoga_roles": ["sender", "reviewer"],
        "acr": "http://id.sambi.se/loa/loa3",
    },
}

REVOKE_PATH = "/oauth2/revoke"


@dataclass
class MockIdp:
    issuer: str
    #: Every revocation request's form, in order.
    revoked: list[dict[str, str]] = field(default_factory=list)


def _with_revocation(app: Any, record: MockIdp) -> Callable[..., Iterable[bytes]]:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == REVOKE_PATH and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {
                k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()
            }
            record.revoked.append(form)
            with app.app_context():
                from flask import g

                g.oidc_provider_mock_storage = storage_of(app)
                storage_of(app).remove_refresh_token(form.get("token", ""))
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]
        if path == "/.well-known/openid-configuration":
            chunks: list[bytes] = []
            status: list[str] = []

            def capture(s: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                status.append(s)
                return chunks.append

            chunks.extend(app(environ, capture))
            document = json.loads(b"".join(chunks))
            document["revocation_endpoint"] = record.issuer + REVOKE_PATH
            body = json.dumps(document).encode()
            start_response(
                status[0],
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        result: Iterable[bytes] = app(environ, start_response)
        return result

    return wrapped


_STORAGES: dict[int, Any] = {}


def storage_of(app: Any) -> Any:
    """The mock's storage (one per app), found through a request it handles."""
    if id(app) not in _STORAGES:
        with app.test_request_context("/"):
            app.preprocess_request()
            from flask import g

            _STORAGES[id(app)] = g.oidc_provider_mock_storage
    return _STORAGES[id(app)]


@contextmanager
def running_mock_idp(**options: Any) -> Iterator[MockIdp]:
    """oidc-provider-mock on ``127.0.0.1`` (a free port), the demo staff predefined."""
    import oidc_provider_mock
    from oidc_provider_mock import User, _app

    grants = (_app.AuthorizationCodeGrant, _app.RefreshTokenGrant)
    before = [grant.TOKEN_ENDPOINT_AUTH_METHODS for grant in grants]
    for grant, methods in zip(grants, before, strict=True):
        grant.TOKEN_ENDPOINT_AUTH_METHODS = [*methods, "none"]

    users = [User(sub=sub, claims=claims) for sub, claims in STAFF_CLAIMS.items()]
    app = oidc_provider_mock.app(user_claims=users, require_nonce=True, **options)
    record = MockIdp(issuer="")
    try:
        with serving(_with_revocation(app, record)) as base_url:
            record.issuer = base_url
            yield record
    finally:
        _STORAGES.pop(id(app), None)
        for grant, methods in zip(grants, before, strict=True):
            grant.TOKEN_ENDPOINT_AUTH_METHODS = methods


def mock_login(authorize_url: str, sub: str, *, deny: bool = False) -> str:
    """What a person does on the mock's page: pick ``sub`` (or deny). The redirect's
    ``Location``, not followed."""
    with requests.Session() as http:
        page = http.get(authorize_url, timeout=10)
        page.raise_for_status()
        form = {"action": "deny"} if deny else {"sub": sub}
        answer = http.post(authorize_url, data=form, allow_redirects=False, timeout=10)
    if answer.status_code not in (302, 303):
        raise AssertionError(f"the mock answered {answer.status_code}: {answer.text[:200]}")
    return answer.headers["Location"]


class MockBrowser:
    """A robot that opens the authorization address, logs in as ``sub`` on the mock's
    page and follows the redirect to the loopback listener, as a browser would."""

    def __init__(self, sub: str, *, deny: bool = False, follow: bool = True) -> None:
        self.sub = sub
        self.deny = deny
        self.follow = follow
        self.opened: list[str] = []
        self.pages: list[requests.Response] = []

    def open(self, url: str) -> bool:
        self.opened.append(url)
        location = mock_login(url, self.sub, deny=self.deny)
        if self.follow:
            self.pages.append(requests.get(location, timeout=10))
        return True


#: For test modules that run the mock: it and the authlib version it was written for
#: warn about their own deprecated calls (inside the provider, never in Bifoga's code),
#: which the suite otherwise turns into errors.
MOCK_WARNINGS = pytest.mark.filterwarnings("ignore::DeprecationWarning")
