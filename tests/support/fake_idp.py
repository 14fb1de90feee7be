"""A tiny identity provider whose every answer a test decides: discovery, a JWKS of test
keys, an authorization endpoint that redirects at once, and a token endpoint that answers
with whatever id_token the test minted (with joserfc, or by hand for ``alg: none``).

For hostile tokens: the client's checks must refuse them whatever a provider sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import ECKey, Key, KeySet, RSAKey
from werkzeug.wrappers import Request, Response

from tests.support.wsgi_thread import serving

CLIENT_ID = "bifoga"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class FakeIdp:
    issuer: str = ""
    rsa: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "rsa-1"}))
    ec: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256", {"kid": "ec-1"}))
    #: Keys published in the JWKS (a test may add one later: key rotation).
    published: list[Key] = field(default_factory=list)
    #: Builds the id_token for a token request, from the authorization request's nonce.
    mint: Callable[[str], str] | None = None
    #: Counts of requests per path.
    hits: dict[str, int] = field(default_factory=dict)
    last_authorize: dict[str, str] = field(default_factory=dict)
    refresh_answers: list[dict[str, Any]] = field(default_factory=list)

    def claims(self, nonce_sent: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "anna",
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "auth_time": now,
            "nonce": nonce_sent,
            "acr": "http://id.sambi.se/loa/loa3",
            "employeeHsaId": "anna",
            "name": "Anna Andersson",
            "healthCareUnitHsaId": "SE2321000016-1000",
            "bifoga_roles": ["sender", "reviewer"],
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def signed(self, claims: dict[str, Any], *, key: Key | None = None, alg: str = "RS256") -> str:
        chosen = key or self.rsa
        return jwt.encode({"alg": alg, "kid": chosen.kid}, claims, chosen, algorithms=[alg])

    def unsigned(self, claims: dict[str, Any]) -> str:
        """``alg: none``: a token anyone can write."""
        header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{header}.{_b64(json.dumps(claims).encode())}."

    def hmac_with_public_key(self, claims: dict[str, Any]) -> str:
        """HS256 with the provider's public key (as published) as the secret: the
        classic forgery against a verifier that lets the token choose the algorithm."""
        public_pem = self.rsa.as_pem(private=False)
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.rsa.kid}).encode())
        signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    # -- the WSGI app -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        if request.path == "/.well-known/openid-configuration":
            return _json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "revocation_endpoint": f"{self.issuer}/revoke",
                    "end_session_endpoint": f"{self.issuer}/end-session",
                }
            )
        if request.path == "/jwks":
            return _json(KeySet(self.published or [self.rsa, self.ec]).as_dict(private=False))
        if request.path == "/authorize":
            self.last_authorize = dict(request.args)
            query = urlencode({"code": "the-code", "state": request.args["state"]})
            return Response(
                status=303, headers={"Location": f"{request.args['redirect_uri']}?{query}"}
            )
        if request.path == "/token":
            if request.form.get("grant_type") == "refresh_token" and self.refresh_answers:
                return _json(self.refresh_answers.pop(0))
            nonce = self.last_authorize.get("nonce", "")
            id_token = (self.mint or (lambda n: self.signed(self.claims(n))))(nonce)
            return _json(
                {
                    "access_token": "access-1",
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "id_token": id_token,
                    "refresh_token": "refresh-1",
                }
            )
        if request.path == "/revoke":
            return Response(status=200)
        return Response(status=404)


def _json(data: object) -> Response:
    return Response(json.dumps(data), mimetype="application/json")


@contextmanager
def running_fake_idp() -> Iterator[FakeIdp]:
    idp = FakeIdp()
    with serving(idp) as base_url:
        idp.issuer = base_url
        yield idp


class RedirectingBrowser:
    """A browser at a provider that answers at once: follows the redirect to the
    loopback listener and keeps the page it got."""

    def __init__(self) -> None:
        import requests

        self._requests = requests
        self.pages: list[Any] = []

    def open(self, url: str) -> bool:
        self.pages.append(self._requests.get(url, timeout=10))
        return True
