"""The provider's signing key: an RSA key made at start, published in its JWKS by ``kid``.

The key lives in memory only; a restarted sandbox has a new one (tokens signed before then
are refused, as after a real provider's key rotation). Every JWS is joserfc's.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

ALGORITHM = "RS256"
#: RFC 9068: an access token's media type, so an id_token is never taken for one.
ACCESS_TOKEN_TYP = "at+jwt"


class Signer:
    def __init__(self, key: RSAKey | None = None) -> None:
        self.key = key or RSAKey.generate_key(2048, auto_kid=True)
        self.kid = str(self.key.kid)
        self.key_set = KeySet([RSAKey.import_key(self.key.as_dict(private=False))])

    def jwks(self) -> dict[str, Any]:
        """The public half only, with ``use`` and ``alg`` so clients pick it surely."""
        keys = [dict(k, use="sig", alg=ALGORITHM) for k in self.key_set.as_dict()["keys"]]
        return {"keys": keys}

    def sign(self, claims: dict[str, Any], *, typ: str = "JWT") -> str:
        header = {"alg": ALGORITHM, "kid": self.kid, "typ": typ}
        return jwt.encode(header, claims, self.key, algorithms=[ALGORITHM])

    def claims_of(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this provider signed (any age), or None."""
        try:
            return dict(jwt.decode(token, self.key_set, algorithms=[ALGORITHM]).claims)
        except Exception:  # joserfc raises several kinds for a malformed or foreign token
            return None
