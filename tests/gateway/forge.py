"""Tokens made by the test, for what no honest provider issues: claims changed and signed
with the sandbox provider's own key (expired, wrong issuer, stale ``auth_time``, weak
``acr``...), and the classic forgeries (``alg: none``; HS256 keyed with the provider's
public key, the "algorithm confusion" attack). The attacker's tools, so built by hand
here on purpose; the signing with the real key is joserfc's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

from sandbox.idp.provider import staff_claims
from sandbox.runner import SandboxHandle
from sandbox.store import Store

LOA2 = "http://id.sambi.se/loa/loa2"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _person(sandbox: SandboxHandle, staff_id: str) -> dict[str, Any]:
    store: Store = sandbox.app.store
    member = store.staff(staff_id)
    assert member is not None
    return staff_claims(member)


def _claims(
    sandbox: SandboxHandle, staff_id: str, now: int, own: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """What the provider would issue for ``staff_id`` now, with ``changes`` (None drops a
    claim)."""
    claims = {
        "iss": sandbox.issuer,
        "sub": staff_id,
        "iat": now,
        "auth_time": now,
        "acr": "http://id.sambi.se/loa/loa3",
        **_person(sandbox, staff_id),
        **own,
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not None}


def access_claims(
    sandbox: SandboxHandle, staff_id: str, now: int, **changes: Any
) -> dict[str, Any]:
    own = {"aud": "bifoga-gateway", "client_id": "bifoga", "exp": now + 600,
           "jti": uuid.uuid4().hex, "scope": "openid profile"}  # fmt: skip
    return _claims(sandbox, staff_id, now, own, changes)


def id_claims(
    sandbox: SandboxHandle, staff_id: str, now: int, nonce: str, **changes: Any
) -> dict[str, Any]:
    own = {"aud": "bifoga", "azp": "bifoga", "exp": now + 300, "nonce": nonce}
    return _claims(sandbox, staff_id, now, own, changes)


def signed(sandbox: SandboxHandle, claims: dict[str, Any], typ: str = "at+jwt") -> str:
    """Signed with the sandbox provider's real key: only the claims are wrong."""
    return sandbox.app.idp.signer.sign(claims, typ=typ)


def unsigned(claims: dict[str, Any], typ: str = "at+jwt") -> str:
    header = {"alg": "none", "typ": typ}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def hs256_with_public_key(
    sandbox: SandboxHandle, claims: dict[str, Any], typ: str = "at+jwt"
) -> str:
    """HS256 keyed with the provider's public key (as its JWKS publishes it), with the
    real ``kid``: a verifier that lets the header choose the algorithm would accept it."""
    signer = sandbox.app.idp.signer
    secret = signer.key.as_pem(private=False)
    header = {"alg": "HS256", "typ": typ, "kid": signer.kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"
