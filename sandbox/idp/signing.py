"""The provider's signing key: an RSA key made at the first start, published in its JWKS
by ``kid``.

A sandbox with a data dir of its own keeps the key there (``idp-signing-key.json``, 0600,
beside the database that holds every "sent" file anyway), so a gateway restarted on the
same data and port still takes the tokens it issued, as a region's gateway would after a
restart; a temporary sandbox makes a new key each start. Every JWS is joserfc's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
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

    @classmethod
    def kept_in(cls, path: Path) -> Signer:
        """The key saved at ``path``, or a new one saved there (readable by the owner only)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(RSAKey.import_key(data))
        except FileNotFoundError:
            pass
        signer = cls()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(signer.key.as_dict(private=True), out)
        return signer

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
